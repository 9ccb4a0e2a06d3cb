// dashboards/ranlab-trial.json: valid JSON, a Grafana dashboard over the InfluxDB schema in
// harness/measure/schema.ts, and every query in it runs on a real influxd against points
// shaped like the runner's.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../harness/paths.js';
import {
  InfluxSink,
  MEASUREMENTS,
  nowNs,
  queryInflux,
  startEmbeddedInflux,
  type EmbeddedInflux,
  type MeasurementSchema,
  type Point,
} from '../harness/measure/index.js';
import { Supervisor } from '../harness/proc/index.js';

interface Target {
  refId: string;
  query: string;
  rawQuery: boolean;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string;
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const schemas: Record<string, MeasurementSchema> = MEASUREMENTS;
let dash: Dashboard;

beforeAll(async () => {
  dash = JSON.parse(await readFile(join(packageRoot, 'dashboards', 'ranlab-trial.json'), 'utf8')) as Dashboard;
});

const queries = () => dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, t })));

describe('dashboards/ranlab-trial.json', () => {
  it('is a Grafana dashboard with an InfluxDB datasource variable and a trial variable from the trial tag', () => {
    expect(dash.uid).toBe('ranlab-trial');
    const vars = Object.fromEntries(dash.templating.list.map((v) => [v.name, v]));
    expect(vars.datasource).toMatchObject({ type: 'datasource', query: 'influxdb' });
    expect(vars.trial).toMatchObject({ type: 'query', query: 'SHOW TAG VALUES WITH KEY = "trial"' });
    const ids = dash.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
  });

  it('has panels for every measurement, reading only fields and tags of the schema, always for one trial', () => {
    const seen = new Set<string>();
    for (const { panel, t } of queries()) {
      expect(t.rawQuery, panel.title).toBe(true);
      expect(t.datasource.uid, panel.title).toBe('${datasource}');
      expect(t.query, panel.title).toContain(`"trial" = '$trial'`);
      expect(t.query, panel.title).toContain('$timeFilter');
      const m = /FROM "([^"]+)"/.exec(t.query)?.[1];
      expect(m && m in schemas, `${panel.title}: ${m}`).toBe(true);
      seen.add(m!);
      const s = schemas[m!];
      for (const [, f] of t.query.matchAll(/\w+\("([^"]+)"\)/g)) expect(Object.keys(s.fields), `${panel.title}: field ${f}`).toContain(f);
      const groupBy = /GROUP BY (.*?)(?: fill\(|$)/.exec(t.query)?.[1] ?? '';
      for (const [, tag] of groupBy.matchAll(/"([^"]+)"/g)) expect(s.tags, `${panel.title}: tag ${tag}`).toContain(tag);
    }
    expect([...seen].sort()).toEqual(Object.keys(schemas).sort());
    // Every field of the schema is on some panel.
    const all = queries()
      .map(({ t }) => t.query)
      .join('\n');
    for (const [m, s] of Object.entries(schemas)) {
      for (const f of Object.keys(s.fields)) expect(all.includes(`"${f}"`) && all.includes(`"${m}"`), `${m}.${f}`).toBe(true);
    }
  });
});

describe('dashboard queries on a real influxd', () => {
  let dir: string;
  let sup: Supervisor;
  let influx: EmbeddedInflux;
  const DB = 'ranlab_dash';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ranlab-dash-'));
    sup = new Supervisor();
    influx = await startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: DB });
    // Points shaped like the runner's: every tag and field of the schema, for two operators.
    const sink = await InfluxSink.open({ url: influx.url, database: DB, spoolDir: join(dir, 'spool'), defaultTags: { rig: 'twin', trial: 'dash-1' } });
    const t0 = nowNs() - 10_000_000_000n;
    const points: Point[] = [];
    for (let k = 0; k < 5; k++) {
      for (const [name, s] of Object.entries(schemas)) {
        for (const op of ['opA', 'opB']) {
          const tags: Record<string, string> = {};
          for (const tag of s.tags) if (tag !== 'rig' && tag !== 'trial') tags[tag] = tag === 'operator' ? op : `${tag}-${op}`;
          const fields: Record<string, number | string | boolean> = {};
          for (const [f, kind] of Object.entries(s.fields)) {
            fields[f] = kind === 'integer' ? k : kind === 'string' ? `v${k}` : kind === 'boolean' ? k % 2 === 0 : k + 0.5;
          }
          points.push({ measurement: name, tags, fields, timestampNs: t0 + BigInt(k) * 1_000_000_000n });
        }
      }
    }
    sink.write(points);
    await sink.close();
  });

  afterAll(async () => {
    await sup?.stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const expand = (q: string) =>
    q
      .replaceAll('$timeFilter', 'time > now() - 1h')
      .replaceAll('$__interval', '1s')
      .replaceAll('$trial', 'dash-1')
      .replaceAll('$operator', '.*');

  it('template variable queries list the trial and its operators', async () => {
    const vars = Object.fromEntries(dash.templating.list.map((v) => [v.name, v]));
    const trials = await queryInflux(influx.url, DB, expand(vars.trial.query));
    expect(trials.map((r) => r.value)).toContain('dash-1');
    const ops = await queryInflux(influx.url, DB, expand(vars.operator.query));
    expect(ops.map((r) => r.value).sort()).toEqual(['opA', 'opB']);
  });

  it('every panel query parses and returns data', async () => {
    for (const { panel, t } of queries()) {
      const rows = await queryInflux(influx.url, DB, expand(t.query));
      expect(rows.length, `${panel.title} (${t.refId}): ${t.query}`).toBeGreaterThan(0);
    }
  });
});
