// Sink ingest against a real influxd. A: InfluxSink (formatting included: it takes Points).
// B: the same points' line protocol, built before the clock starts, POSTed raw in 5,000-line
// requests one after another. Steady: 10 writes of 5,000 points; burst: one write of 200,000.
// Each sample is points per second from the first write until everything is in the database
// (flush resolved / last POST answered), so the ratio is ranlab's share of the raw rate (higher
// is better). At the end a count in InfluxDB proves nothing was lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxSink, createInfluxDatabase, queryInflux, startEmbeddedInflux, toLine } from '../dist/harness/measure/index.js';
import { Supervisor } from '../dist/harness/proc/index.js';
import { figure, interleave } from './lib/interleave.mjs';

const BATCH = 5000;
let epoch = 0;

/** `n` points over 64 series (4 operators x 4 cells x 4 UEs), timestamps unique across the run. */
function points(n) {
  const t0 = 1_700_000_000_000_000_000n + BigInt(++epoch) * 10_000_000_000_000n;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = i % 64;
    out[i] = {
      measurement: 'bench_kpm',
      tags: { operator: `op-${s >> 4}`, cell: `cell ${(s >> 2) & 3}`, ue: `ue-${s & 3}`, rig: 'bench' },
      fields: { dl_thp_kbps: 1000 + (i % 977) * 1.5, ul_thp_kbps: 200.25 + (i % 13), prb_used: i % 217, cqi: i % 16, in_service: true },
      timestampNs: t0 + BigInt(i) * 1000n,
    };
  }
  return out;
}

async function post(url, db, lines) {
  const res = await fetch(`${url}/write?db=${db}&precision=n`, { method: 'POST', body: lines.join('\n') });
  await res.arrayBuffer();
  if (res.status !== 204) throw new Error(`raw POST: HTTP ${res.status}`);
}

async function count(url, db) {
  const rows = await queryInflux(url, db, 'SELECT count(prb_used) FROM bench_kpm');
  return Number(rows[0]?.count ?? 0);
}

export default async function ingest({ rounds = 7, log }) {
  const tmp = mkdtempSync(join(tmpdir(), 'ranlab-bench-ingest-'));
  const sup = new Supervisor();
  try {
    const influx = await startEmbeddedInflux(sup, { dataDir: join(tmp, 'influx'), database: 'bench_a' });
    await createInfluxDatabase(influx.url, 'bench_b');
    const sink = await InfluxSink.open({ url: influx.url, database: 'bench_a', spoolDir: join(tmp, 'spool') });
    const sent = { a: 0, b: 0 };
    const out = [];
    for (const [name, chunks, size] of [
      ['ingest steady 50k', 10, BATCH],
      ['ingest burst 200k', 1, 200_000],
    ]) {
      log(name);
      let spooledMax = 0;
      const a = async () => {
        const batches = Array.from({ length: chunks }, () => points(size));
        // Whether the sink spills to disk while the server is healthy (it should not).
        const watch = setInterval(() => (spooledMax = Math.max(spooledMax, sink.stats().spooled)), 2);
        const t0 = performance.now();
        for (const b of batches) {
          sink.write(b);
          await new Promise((r) => setImmediate(r));
        }
        await sink.flush();
        clearInterval(watch);
        sent.a += chunks * size;
        return (chunks * size) / ((performance.now() - t0) / 1000);
      };
      const b = async () => {
        const lines = points(chunks * size).map((p) => toLine(p));
        const t0 = performance.now();
        for (let i = 0; i < lines.length; i += BATCH) await post(influx.url, 'bench_b', lines.slice(i, i + BATCH));
        sent.b += lines.length;
        return lines.length / ((performance.now() - t0) / 1000);
      };
      const samples = await interleave(rounds, a, b);
      out.push(figure(name, 'points/s', samples, { spooledMax }));
    }
    const [inA, inB] = await Promise.all([count(influx.url, 'bench_a'), count(influx.url, 'bench_b')]);
    const st = sink.stats();
    await sink.close();
    for (const f of out) Object.assign(f, { sentSink: sent.a, countedSink: inA, sentRaw: sent.b, countedRaw: inB, lost: sent.a - inA, refused: st.refused, rejected: st.rejected });
    if (inA !== sent.a) throw new Error(`InfluxDB holds ${inA} of the ${sent.a} points the sink accepted`);
    return out;
  } finally {
    await sup.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
