// A UE's AT modem: on a twin rig the twin modem needs a pseudo-terminal; on a lab rig the
// modem must be plugged in and answer ATI.
import { existsSync } from 'node:fs';
import type { Rig, RigUe } from '../rig/index.js';
import type { Check } from './check.js';

export function modemCheck(rig: Rig, ue: RigUe, timeoutMs: number): Check | null {
  if (ue.driver !== 'at-modem') return null;
  if (rig.mode === 'twin')
    return {
      component: ue.id,
      check: 'pseudo-terminal for the twin modem',
      run: async () => {
        const { openPty } = await import('../../native/index.js');
        const pty = openPty();
        const path = pty.slavePath;
        pty.close();
        return `openpty works (${path}); twin modem started at bring-up`;
      },
    };
  return {
    component: ue.id,
    check: 'modem answers AT',
    hardware: true,
    run: async () => {
      if (!existsSync(ue.port!)) throw new Error(`${ue.port}: no such device (unplugged, or another by-id name?)`);
      const { ueAt } = await import('../ue/index.js');
      const r = await ueAt({ id: ue.id, port: ue.port!, baudRate: ue.baudRate }, 'ATI', { timeoutMs });
      if (!r.ok) throw new Error(`ATI answered ${r.final}`);
      return `${r.lines.join(' ')} on ${ue.port}`;
    },
  };
}
