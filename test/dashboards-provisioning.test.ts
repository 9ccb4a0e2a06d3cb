// Grafana provisioning in dashboards/provisioning: a data source of type influxdb that the
// dashboard's datasource variable selects, and a file provider pointing at dashboards/. With
// Grafana's ${VAR} substitution done as it does it, the data source's URL and database answer
// the dashboard's trial variable query on a real influxd.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../harness/paths.js';
import { InfluxSink, nowNs, queryInflux, startEmbeddedInflux, type EmbeddedInflux } from '../harness/measure/index.js';
import { Supervisor } from '../harness/proc/index.js';

const dir = join(packageRoot, 'dashboards', 'provisioning');
const yaml = (p: string) => parse(readFileSync(join(dir, p), 'utf8')) as Record<string, unknown>;
/** Grafana's substitution of ${VAR} and $VAR in provisioning files. */
const substitute = (s: string, env: Record<string, string>) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => env[a ?? b] ?? '');

interface DataSource { name: string; uid: string; type: string; access: string; url: string; jsonData: { dbName: string; httpMode: string } }
interface Provider { type: string; folder: string; options: { path: string } }

describe('dashboards/provisioning', () => {
  let sup: Supervisor;
  let influx: EmbeddedInflux;
  let tmp: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ranlab-prov-'));
    sup = new Supervisor();
    influx = await startEmbeddedInflux(sup, { dataDir: join(tmp, 'influx'), database: 'labdb' });
    const sink = await InfluxSink.open({ url: influx.url, database: 'labdb', spoolDir: join(tmp, 'spool'), defaultTags: { rig: 'twin', trial: 'prov-1' } });
    sink.write([{ measurement: 'epoch', tags: { policy: 'ledger' }, fields: { epoch: 1, jain: 1, totalGrantMHz: 40 }, timestampNs: nowNs() }]);
    await sink.close();
  });
  afterAll(async () => {
    await sup?.stopAll();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the provider loads dashboards/ and finds every dashboard JSON there', () => {
    const { apiVersion, providers } = yaml('dashboards/ranlab.yaml') as { apiVersion: number; providers: Provider[] };
    expect(apiVersion).toBe(1);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ type: 'file', folder: 'ranlab' });
    const path = substitute(providers[0]!.options.path, { RANLAB_DASHBOARDS: join(packageRoot, 'dashboards') });
    const found = readdirSync(path).filter((f) => f.endsWith('.json'));
    expect(found).toContain('ranlab-trial.json');
  });

  it("the data source is the dashboard's kind, and answers its trial variable on a real influxd", async () => {
    const { apiVersion, datasources } = yaml('datasources/ranlab.yaml') as { apiVersion: number; datasources: DataSource[] };
    expect(apiVersion).toBe(1);
    const ds = datasources[0]!;
    const dash = JSON.parse(readFileSync(join(packageRoot, 'dashboards', 'ranlab-trial.json'), 'utf8')) as { templating: { list: { name: string; query: string }[] } };
    const vars = Object.fromEntries(dash.templating.list.map((v) => [v.name, v.query]));
    expect(ds.type).toBe(vars.datasource);
    expect(ds.access).toBe('proxy');
    const env = { RANLAB_INFLUX_URL: influx.url, RANLAB_INFLUX_DB: 'labdb' };
    const rows = await queryInflux(substitute(ds.url, env), substitute(ds.jsonData.dbName, env), vars.trial!);
    expect(rows.map((r) => r.value)).toContain('prov-1');
  });
});
