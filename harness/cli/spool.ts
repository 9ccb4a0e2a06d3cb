// `ranlab spool list|replay [rig]`: the points that could not be written to InfluxDB, kept per
// destination under the state folder, listed or written now. Exit 0 when every spool was
// delivered (or listed), 3 when a destination still cannot take them (they stay on disk).
import { join } from 'node:path';
import { messageOf } from '../errors.js';
import { destinationSpool, InfluxSink, listDestinations, removeIfEmpty, startEmbeddedInflux, type Destination } from '../measure/index.js';
import { Supervisor } from '../proc/index.js';

export interface SpoolCommandOptions {
  stateDir: string;
  rigPath?: string;
  say: (line: string) => void;
  out: (line: string) => void;
}

export async function spoolCommand(action: 'replay' | 'list', o: SpoolCommandOptions): Promise<number> {
  let dests: (Destination & { segments?: number })[] = listDestinations(o.stateDir);
  if (o.rigPath) {
    const { loadRig } = await import('../rig/index.js');
    const rig = loadRig(o.rigPath);
    const url = rig.influx.url ?? '';
    dests = [{ url, database: rig.influx.database, embedded: rig.influx.embedded === true }];
  }
  if (action === 'list') {
    for (const d of dests) o.out(`${d.embedded ? 'embedded influxd' : d.url}  database ${d.database}  ${d.segments ?? '?'} segment(s)`);
    if (dests.length === 0) o.out('no spooled points');
    return 0;
  }
  let code = 0;
  const waiting = dests.filter((d) => d.segments !== 0);
  if (waiting.length === 0) o.out('no spooled points to replay');
  for (const d of waiting) {
    const r = await replayOne(o.stateDir, d, o.say).catch((err: unknown) => ({ ok: false, written: 0, spooled: -1, error: messageOf(err) }));
    const where = d.embedded ? 'the embedded influxd' : d.url;
    if (r.ok) o.out(`${where} (${d.database}): ${r.written} points written`);
    else {
      o.out(`${where} (${d.database}): not delivered (${r.error}); ${r.spooled >= 0 ? `${r.spooled} points` : 'points'} stay spooled`);
      code = 3;
    }
  }
  return code;
}

async function replayOne(stateDir: string, d: Destination, say: (l: string) => void): Promise<{ ok: boolean; written: number; spooled: number; error: string | null }> {
  const sup = new Supervisor();
  try {
    let url = d.url;
    if (d.embedded) {
      const influx = await startEmbeddedInflux(sup, { dataDir: join(stateDir, 'influx'), database: d.database, onWait: say });
      url = influx.url;
    }
    const spool = destinationSpool(stateDir, d, `replay-${process.pid}-${Date.now()}`);
    const sink = new InfluxSink({ url, database: d.database, spoolDir: spool.dir });
    const c = await sink.closeBy(Date.now() + 60_000);
    if (c.spooled === 0 && c.lost === 0) removeIfEmpty(spool.dir);
    return { ok: c.error === null && c.spooled === 0, written: c.written, spooled: c.spooled, error: c.error };
  } finally {
    await sup.stopAll(5000);
  }
}
