// `ranlab ue <rig> <ue-id> at '<command>' | status [--json]`: an engineer's first debugging step.
// On a twin rig the command starts what it needs (the UE's twin modem on its own
// pseudo-terminal) and stops it again; on a lab rig it opens the modem's port directly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { Supervisor } from '../proc/index.js';
import type { Rig } from '../rig/index.js';
import { startTwinModem } from '../twin/modem.js';
import { formatAtResult, formatUeStatus, ueAt, ueStatus, ueStatusJson, type AtModemOptions } from './index.js';

export async function ueCommand(rig: Rig, ueId: string, action: 'at' | 'status', command?: string, o: { json?: boolean } = {}): Promise<{ text: string; ok: boolean }> {
  const u = rig.ues.find((x) => x.id === ueId);
  if (!u) throw new ConfigError(`no UE "${ueId}" in rig ${rig.name} (UEs: ${rig.ues.map((x) => x.id).join(', ') || 'none'})`, 'UE_UNKNOWN');
  if (u.driver !== 'at-modem') throw new ConfigError(`UE ${ueId} uses the ${u.driver} driver; only AT-modem UEs take AT commands`, 'UE_NOT_AT');
  if (action === 'at' && !command) throw new ConfigError('missing the AT command, e.g. ranlab ue <rig> <ue> at ATI', 'USAGE');

  const sup = new Supervisor();
  const scratch = rig.mode === 'twin' ? mkdtempSync(join(tmpdir(), 'ranlab-ue-')) : null;
  try {
    let port = u.port!;
    if (scratch) {
      const modem = await startTwinModem(sup, { ueId: u.id, airDir: join(scratch, 'air'), model: u.model ?? 'RM520N' }, scratch);
      port = modem.port;
    }
    const opts: AtModemOptions = { id: u.id, operator: u.operator, port, baudRate: u.baudRate, model: u.model };
    if (action === 'status') {
      const s = await ueStatus(opts);
      return { text: o.json ? ueStatusJson(s) : formatUeStatus(s), ok: true };
    }
    const r = await ueAt(opts, command!);
    return { text: o.json ? JSON.stringify(r, null, 2) + '\n' : formatAtResult(r), ok: r.ok };
  } finally {
    await sup.stopAll();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
