// Epoch period against nominal: a real-time spectrum trial on rigs/twin-4op.yaml (4 operators)
// with 200 ms epochs, under `equal` (the figure; its grants never change, so after the
// first epoch no control is sent) and under `ledger` (requests, decision and settlements on the
// chain every epoch, overlapping the windows; grants move while they converge) and under
// `random` (every grant moves every epoch: every cell is controlled before every window). An epoch's actual period runs from when its grants took
// effect to when the next epoch's did (window start + the overrun, if any); the figure is the
// mean over the trial's epochs, against the nominal 200 ms. Also counted: epochs with KPM
// (every operator measured) and epochs that overran.
import { figure } from './lib/interleave.mjs';
import { twinTrial } from './lib/trial-run.mjs';

const EPOCH_MS = 200;

export default async function epoch({ rounds = 3, log }) {
  return [await periods('equal', rounds, log), await periods('ledger', rounds, log), await periods('random', rounds, log)];
}

async function periods(policy, rounds, log) {
  const epochs = 25;
  log(`${epochs} epochs of ${EPOCH_MS} ms, 4 operators, ${policy} policy, real time; ${rounds} trials`);
  const a = [];
  const b = [];
  let withKpm = 0;
  let total = 0;
  let overran = 0;
  for (let i = 0; i < rounds; i++) {
    const { records } = await twinTrial('rigs/twin-4op.yaml', { policy, epochs, epochMs: EPOCH_MS, seed: 1 });
    const effective = records.map((r) => Number(r.startNs) / 1e6 + (r.overrunMs ?? 0));
    const periods = effective.slice(1).map((t, k) => t - effective[k]);
    a.push(periods.reduce((x, y) => x + y, 0) / periods.length);
    b.push(EPOCH_MS);
    // Every cell (one per operator) reported in the epoch's own window.
    withKpm += records.filter((r) => r.kpmIndications >= r.operators.length).length;
    total += records.length;
    overran += records.filter((r) => r.overrunMs !== undefined).length;
  }
  return figure(`epoch period ${policy} @${EPOCH_MS}ms n=4`, 'ms', { a, b }, { epochsWithKpm: `${withKpm}/${total}`, overran: `${overran}/${total}` });
}
