// Loading a rig file: YAML -> schema -> cross-references. Every error names the file, the
// path inside it (basestations[1].cells[0].bandwidthMHz), its line, and what was expected.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { rigSchema, type Rig } from './schema.js';
import { crossCheck, type RigProblem } from './validate.js';

export class RigError extends ConfigError {
  constructor(
    readonly file: string,
    readonly problems: RigProblem[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${formatProblem(problems[0]!)}`
        : `${file}: ${problems.length} problems\n` + problems.map((p) => '  ' + formatProblem(p)).join('\n'),
      'RIG_INVALID',
    );
  }
}

function formatProblem(p: RigProblem): string {
  const where = p.path.length ? formatPath(p.path) : '(top level)';
  return `${p.line ? `line ${p.line}: ` : ''}${where}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += (out ? '.' : '') + String(k);
  }
  return out;
}

function lineOf(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // The deepest node that exists along the path (a missing key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function zodProblems(issues: z.core.$ZodIssue[]): RigProblem[] {
  const out: RigProblem[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ path: [...i.path, k], message: `unknown key "${k}" (check its spelling)` });
      continue;
    }
    let msg = i.message.replace(/^Invalid input: /, '');
    if (i.code === 'invalid_type' && /received undefined/.test(i.message)) msg = `missing: ${msg.replace(/, received undefined/, '')}`;
    out.push({ path: i.path, message: msg });
  }
  return out;
}

/** Parse and validate rig text. `file` is only used in messages. */
export function parseRig(text: string, file: string): Rig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => ({
      path: [],
      line: e.linePos?.[0]?.line,
      message: `not valid YAML: ${e.message.split('\n')[0]}`,
    }));
    throw new RigError(file, problems);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RigError(file, [{ path: [], message: 'expected a mapping (name, operators, spectrum, basestations, ...)' }]);
  }
  const parsed = rigSchema.safeParse(raw);
  let problems: RigProblem[];
  if (!parsed.success) problems = zodProblems(parsed.error.issues);
  else problems = crossCheck(parsed.data);
  if (problems.length) {
    for (const p of problems) p.line ??= lineOf(doc, lc, p.path);
    throw new RigError(file, problems);
  }
  return parsed.data!;
}

/** Read a rig file; a missing file is a ConfigError too. */
export function loadRig(path: string): Rig {
  const shown = isAbsolute(path) ? relative(process.cwd(), path) || path : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${shown}: cannot read rig file (${code === 'ENOENT' ? 'no such file' : String(err)})`, 'RIG_UNREADABLE');
  }
  return parseRig(text, shown);
}
