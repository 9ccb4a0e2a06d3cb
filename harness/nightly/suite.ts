// A nightly suite file: the runs to make one after another, each a rig, a trial kind, its
// policy and length, and criteria laid over the rig's own `acceptance:`.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatPath } from '../rig/index.js';
import { acceptanceSchema } from '../rig/schema.js';

const runSchema = z.strictObject({
  /** Shown in the summary and the JUnit file (default: `<rig name>-<policy>`). */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a name of letters, digits, "-", "_" or "."').optional(),
  /** Rig file, relative to the suite file. */
  rig: z.string().min(1),
  /** The trial kind; offload joins spectrum when it exists. */
  kind: z.enum(['spectrum']).default('spectrum'),
  policy: z.enum(['ledger', 'random', 'equal']).optional(),
  epochs: z.number().int().min(1).max(100_000).optional(),
  epochMs: z.number().int().min(50).max(3_600_000).optional(),
  seed: z.number().int().min(0).optional(),
  acceptance: acceptanceSchema.optional(),
});

export const suiteSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a name of letters, digits, "-", "_" or "."'),
  /** How long a run waits for a rig another run from this host holds, seconds. */
  lockTimeoutS: z.number().min(0).max(86_400).default(600),
  runs: z.array(runSchema).min(1, 'at least one run'),
});

export type Suite = z.infer<typeof suiteSchema>;
export type SuiteRun = Suite['runs'][number];

/** Read a suite file; rig paths come back absolute. Errors name the file and the path inside it. */
export function loadSuite(file: string): Suite {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot read suite file (${(err as Error).message.split('\n')[0]})`, 'SUITE_INVALID');
  }
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? formatPath(i.path) : '(top level)'}: ${i.message}`);
    throw new ConfigError(`${file}: ${problems.join('; ')}`, 'SUITE_INVALID');
  }
  const base = dirname(resolve(file));
  return { ...parsed.data, runs: parsed.data.runs.map((r) => ({ ...r, rig: resolve(base, r.rig) })) };
}
