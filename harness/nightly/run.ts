// `ranlab nightly`: the suite's runs one after another, each holding its rig's lock on this
// host; one JUnit file and one summary for them all. The exit code is the first of 130, 3,
// 2, 1 that any run produced (0 only when every run passed); an interrupted run ends the suite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJunit, exitPrecedence, finishTrial, mergeAcceptance, type JunitSuite } from '../acceptance/index.js';
import { exitCodeOf, messageOf, RanlabError } from '../errors.js';
import { loadRig, type Rig } from '../rig/index.js';
import { runSpectrumTrial } from '../trial/index.js';
import type { EpochRecord } from '../trial/spectrum.js';
import { RigLock } from './lock.js';
import type { NightlySummary, RunSummary } from './summary.js';
import type { Suite, SuiteRun } from './suite.js';

export interface NightlyOptions {
  resultsRoot: string;
  /** State folder of the trials (embedded influxd data, spools). */
  stateDir?: string;
  lockDir: string;
  junitPath?: string;
  say: (line: string) => void;
  /** Shown to a run that finds the rig held: who holds it. */
  command: string;
  /** How long a run waits for its rig (the suite's lockTimeoutS). */
  timeoutMs: number;
}

function runName(run: SuiteRun, rig: Rig | null): string {
  return run.name ?? `${rig?.name ?? 'rig'}-${run.policy ?? rig?.trial.policy ?? 'default'}`;
}

/** A run that never started a trial: one error case saying why. */
function refused(name: string, rigName: string, err: unknown, startedAt: Date): { summary: RunSummary; suite: JunitSuite } {
  const code = exitCodeOf(err);
  return {
    summary: { name, rig: rigName, trialId: null, exitCode: code, problems: [messageOf(err)], htmlPath: null },
    suite: {
      name,
      timeS: (Date.now() - startedAt.getTime()) / 1000,
      timestamp: startedAt,
      properties: { rig: rigName, exitCode: String(code) },
      cases: [{ classname: `${name}.run`, name: 'start', error: { message: messageOf(err), type: err instanceof RanlabError ? err.code : 'ERROR' } }],
    },
  };
}

async function oneRun(run: SuiteRun, index: number, opts: NightlyOptions): Promise<{ summary: RunSummary; suite: JunitSuite }> {
  const startedAt = new Date();
  let rig: Rig;
  try {
    rig = loadRig(run.rig);
  } catch (err) {
    return refused(run.name ?? `run${index + 1}`, run.rig, err, startedAt);
  }
  const name = runName(run, rig);
  let lock: RigLock;
  try {
    lock = await RigLock.acquire(opts.lockDir, rig.name, {
      timeoutMs: opts.timeoutMs,
      command: opts.command,
      onWait: (h) => opts.say(`${name}: rig ${rig.name} is in use${h ? ` by pid ${h.pid} (${h.command}, started ${h.startedAt})` : ''}; waiting up to ${Math.round(opts.timeoutMs / 1000)} s`),
    });
  } catch (err) {
    return refused(name, rig.name, err, startedAt);
  }
  try {
    if (lock.tookOverFrom) opts.say(`${name}: took over the lock of rig ${rig.name} from pid ${lock.tookOverFrom.pid} (started ${lock.tookOverFrom.startedAt}), which is no longer running`);
    opts.say(`${name}: ${run.kind} on rig ${rig.name}`);
    const records: EpochRecord[] = [];
    let outcome: Awaited<ReturnType<typeof runSpectrumTrial>>;
    try {
      outcome = await runSpectrumTrial(rig, { policy: run.policy, epochs: run.epochs, epochMs: run.epochMs, seed: run.seed, resultsRoot: opts.resultsRoot, stateDir: opts.stateDir, say: opts.say, records });
    } catch (err) {
      // Inputs found unusable before anything started (e.g. an unreadable key file).
      return refused(name, rig.name, err, startedAt);
    }
    const judged = finishTrial(rig, outcome, records, { suiteName: name, acceptance: mergeAcceptance(rig.acceptance, run.acceptance), startedAt });
    const problems = [...(outcome.error ? [messageOf(outcome.error)] : []), ...outcome.teardownProblems, ...(judged.failure ? [judged.failure] : [])];
    return {
      summary: { name, rig: rig.name, trialId: outcome.report.trialId, exitCode: judged.exitCode, problems, htmlPath: judged.htmlPath },
      suite: judged.suite,
    };
  } finally {
    await lock.release();
  }
}

export async function runNightly(suite: Suite, opts: Omit<NightlyOptions, 'timeoutMs'> & { timeoutMs?: number }): Promise<NightlySummary> {
  const startedAt = new Date();
  const dir = join(opts.resultsRoot, `nightly-${suite.name}-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const junitPath = opts.junitPath ?? join(dir, 'junit.xml');
  const runs: RunSummary[] = [];
  const suites: JunitSuite[] = [];
  for (const [i, run] of suite.runs.entries()) {
    const r = await oneRun(run, i, { ...opts, timeoutMs: opts.timeoutMs ?? suite.lockTimeoutS * 1000 });
    runs.push(r.summary);
    suites.push(r.suite);
    opts.say(`${r.summary.name}: exit ${r.summary.exitCode}${r.summary.problems.length ? ` (${r.summary.problems.join('; ')})` : ''}`);
    if (r.summary.exitCode === 130) break;
  }
  buildJunit(suites, junitPath, suite.name);
  const summary: NightlySummary = {
    suite: suite.name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    exitCode: exitPrecedence(runs.map((r) => r.exitCode)),
    runs,
    junitPath,
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
