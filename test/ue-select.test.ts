// Manual operator selection through the AT driver (issue 9 item 7: a UE market winner is chosen
// by PLMN): AT+COPS=1,2,"<plmn>" on a twin modem in its own process on a real pty, whose air
// reading names the serving cell's PLMN.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError } from '../harness/errors.js';
import { nowNs } from '../harness/measure/index.js';
import { cliEntry } from '../harness/paths.js';
import { Supervisor } from '../harness/proc/index.js';
import { Air } from '../harness/twin/air.js';
import { startTwinModem } from '../harness/twin/modem.js';
import { AtModemUe, CmeError } from '../harness/ue/index.js';

const UE = 'ue-sel';
const sup = new Supervisor();
let dir: string;
let ue: AtModemUe;

beforeAll(async () => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ranlab-ue-select-'));
  const air = new Air(join(dir, 'air'));
  air.publishUe({
    ueId: UE, cellId: 'gnb-b-c1', operator: 'op-b', plmn: '00102', rat: 'NR', band: 'n46', pci: 202, arfcn: 744000, bandwidthMHz: 40, scsKHz: 15,
    inService: true, rsrpDbm: -85, rsrqDb: -11, sinrDb: 18, cqi: 12, throughputKbps: 0, updatedNs: nowNs().toString(),
  });
  const modem = await startTwinModem(sup, { ueId: UE, airDir: join(dir, 'air'), linkPath: join(dir, 'dev', `${UE}-at`), staleAfterMs: 0, registerMs: 50, pollMs: 50 }, join(dir, 'cfg'));
  ue = new AtModemUe({ id: UE, operator: 'op-a', port: modem.port });
  await ue.open();
  await ue.setPower(true);
}, 30_000);

afterAll(async () => {
  await ue?.close();
  await sup.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('selecting the serving cell\'s PLMN registers in manual mode on it; another PLMN is refused by the modem; a malformed one is refused before sending', async () => {
  await expect(ue.selectOperator('00101')).rejects.toBeInstanceOf(CmeError);
  await ue.selectOperator('00102');
  const end = Date.now() + 5000;
  while (!(await ue.registration()).registered && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  expect((await ue.registration()).registered).toBe(true);
  expect(await ue.operatorSelection()).toMatchObject({ mode: 1, format: 2, operator: '00102' });
  expect((await ue.servingCell()).primary).toMatchObject({ mcc: '001', mnc: '02', pci: 202 });
  await expect(ue.selectOperator('0010')).rejects.toBeInstanceOf(ConfigError);
}, 30_000);
