// Twin trial time against real time: a 100-epoch spectrum trial on rigs/twin-4op.yaml (4
// operators) with 1 s epochs on virtual time, from the first epoch's decision to the last
// epoch's settlement (bring-up and teardown excluded), against the nominal 100 s the same
// trial takes on real time (its windows are on schedule: bench `epoch` measures that). Under
// `equal` and under `ledger` (the contract decides and settles every epoch).
import { figure, median } from './lib/interleave.mjs';
import { twinTrial } from './lib/trial-run.mjs';

export default async function virtual({ rounds = 2, log }) {
  const epochs = 100;
  const epochMs = 1000;
  const nominal = epochs * epochMs;
  const out = [];
  for (const policy of ['equal', 'ledger']) {
    log(`${epochs} epochs of ${epochMs} ms, 4 operators, ${policy} policy, virtual time vs ${nominal / 1000} s nominal; ${rounds} trials`);
    const a = [];
    const b = [];
    for (let i = 0; i < rounds; i++) {
      const { loopMs, records } = await twinTrial('rigs/twin-4op.yaml', { policy, epochs, epochMs, seed: 1, clock: 'virtual' });
      if (records.length !== epochs) throw new Error(`${records.length} of ${epochs} epochs`);
      a.push(loopMs);
      b.push(nominal);
    }
    const f = figure(`virtual trial ${policy}`, 'ms', { a, b });
    // Times faster than real time, per trial (from the unrounded times).
    const x = a.map((ms) => nominal / ms);
    out.push({ ...f, speedup: { median: +median(x).toFixed(1), max: +Math.max(...x).toFixed(1) } });
  }
  return out;
}
