// A protocol-exact stand-in for the srsRAN Project `gnb` binary (25.10), for this machine
// where srsRAN cannot run: `ranlab srsgnb-standin -c <gnb.yaml> [--twin <twin.json>]`. It
// reads the YAML the agent wrote and refuses what the real gNB refuses, prints the startup
// lines, serves the remote-control WebSocket and emits metrics frames. Its cell takes part
// in the twin's air (twin.json: air folder, cell id, UEs' link budgets), so twin modems camp
// on it. Written from facts/RAN.md; it imports no driver or backend.
//
// `gnb --version` answers as the real one does (version.ts).
//
// `ignoreQuota: true` in twin.json makes a faulty gNB: it answers rrm_policy_ratio_set with
// success and changes nothing (as the real one does for an unknown slice).
import { readFileSync } from 'node:fs';
import { parseStandinYaml, StandinConfigError, type StandinConfig } from './config.js';
import { StandinCell, type TwinSide } from './cell.js';
import { cellsFrame, duFrame, FIRST_RNTI } from './metrics.js';
import { RemoteControl } from './remote.js';
import { BANNER, versionText, wantsVersion } from './version.js';

function fail(msg: string): never {
  process.stderr.write(`Error: ${msg}\n`);
  process.exit(1);
}

export async function runStandinGnb(argv: string[]): Promise<void> {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (wantsVersion(argv)) {
    process.stdout.write(versionText(argv));
    process.exit(0);
  }
  const cfgPath = arg('-c') ?? fail('expected -c <config.yaml>');
  let cfg: StandinConfig;
  try {
    cfg = parseStandinYaml(readFileSync(cfgPath, 'utf8'));
  } catch (err) {
    fail(err instanceof StandinConfigError ? err.message : `cannot read ${cfgPath}: ${(err as Error).message}`);
  }
  const twinPath = arg('--twin');
  const twin = twinPath ? (JSON.parse(readFileSync(twinPath, 'utf8')) as TwinSide & { ignoreQuota?: boolean }) : null;
  const cell = twin ? new StandinCell(cfg, twin) : null;
  const slice = cfg.slices[0];
  if (cell && slice) cell.setMaxRatio(slice.maxRatio);
  const out = (line: string) => process.stdout.write(line + '\n');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (cell) {
      cell.on = false;
      cell.publish();
      cell.evaluate(cfg.duReportPeriodMs);
    }
    clearInterval(timer);
    await remote?.close();
    out('Stopping the gNB...');
    process.exit(0);
  };

  process.stdout.write(BANNER);
  if (cfg.enableJson && !cfg.remote.enabled) out('NOTE: No JSON metrics will be generated as the remote server is disabled');
  let remote: RemoteControl | null = null;
  if (cfg.remote.enabled) {
    remote = new RemoteControl(cfg, {
      quit: () => void stop(),
      setRatio: (m, mn, mx) => {
        const match = cfg.slices.find((s) => m.plmn === cfg.plmn && s.sst === m.sst && (m.sd === undefined || s.sd === m.sd));
        if (!match) return false;
        if (twin?.ignoreQuota) return true;
        if (mn !== undefined) match.minRatio = mn;
        if (mx !== undefined) match.maxRatio = mx;
        if (cell && match === slice) cell.setMaxRatio(match.maxRatio);
        return true;
      },
    });
    try {
      await remote.listen();
      out(`Remote control server listening on ${cfg.remote.bindAddr}:${cfg.remote.port}`);
    } catch {
      out(`Remote control server cannot listen on ${cfg.remote.bindAddr}:${cfg.remote.port}`);
      process.exit(1);
    }
  }
  if (!cfg.noCore) fail(`N2: Connection to AMF on ${cfg.amf!.addr}:${cfg.amf!.port} failed (the stand-in has no core; use cu_cp.amf.no_core: true)`);
  if (cell) {
    cell.on = true;
    cell.publish();
  }
  out(`Cell pci=${cfg.pci}, bw=${cfg.bandwidthMHz} MHz, 1T1R, dl_arfcn=${cfg.dlArfcn} (n${cfg.band}), dl_freq=${cfg.dlFreqMHz.toFixed(2)} MHz, dl_ssb_arfcn=${cfg.dlArfcn}, ul_freq=${cfg.dlFreqMHz.toFixed(2)} MHz`);
  out('');
  out('==== gNB started ===');
  out('Type <h> to view help');

  // UEs attach on the first report after start: one ue_create each.
  let created = false;
  let slots = 0;
  const timer = setInterval(() => {
    if (!cell || stopping) return;
    cell.publish();
    const r = cell.evaluate(cfg.duReportPeriodMs);
    slots += cfg.duReportPeriodMs;
    const events = created ? [] : r.radio.ues.map((_, i) => ({ rnti: FIRST_RNTI + i, type: 'ue_create' as const }));
    created = true;
    if (remote && cfg.enableJson) {
      remote.broadcast(duFrame());
      remote.broadcast(cellsFrame(cfg, r, events, slots));
    }
  }, cfg.duReportPeriodMs);
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  process.stdin.on('data', (d) => {
    for (const c of String(d).split(/[;\n]/).map((s) => s.trim())) if (c === 'q') void stop();
  });
  process.stdin.on('error', () => undefined);
}
