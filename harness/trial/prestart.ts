// Checks a trial makes before it starts anything: every input it will need is usable now, so
// a bad one fails at once (exit 2) instead of after influxd and the chain have started.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { ConfigError, messageOf } from '../errors.js';
import { loadOperatorKey } from '../ledger/index.js';
import type { Rig } from '../rig/index.js';

export function checkBeforeStart(rig: Rig, o: { resultsRoot: string; epochMs: number }): void {
  if (o.epochMs < rig.trial.kpmPeriodMs)
    throw new ConfigError(
      `epoch length ${o.epochMs} ms is shorter than the KPM period (trial.kpmPeriodMs: ${rig.trial.kpmPeriodMs} ms): ` +
        'some epochs would get no measurement and be settled as zero use; give --epoch-ms of at least the KPM period',
      'EPOCH_TOO_SHORT',
    );
  try {
    mkdirSync(o.resultsRoot, { recursive: true });
    if (!statSync(o.resultsRoot).isDirectory()) throw new Error('not a folder');
    accessSync(o.resultsRoot, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way' : messageOf(err);
    throw new ConfigError(`--results ${o.resultsRoot}: cannot write trial results there (${why})`, 'RESULTS_UNUSABLE');
  }
  // Keys from files and the environment: present, well formed, files safe to read. The key
  // itself is dropped here; the ledger client reads it again when it connects.
  for (const op of rig.operators) if (!('generate' in op.account)) loadOperatorKey(op.name, op.account);
}
