// A base station's USRP. An srsRAN gNB's USRP belongs to its host: its agent checks it there
// (before the gNB takes it) and says what it found in E2 Setup; an agent that found no USRP
// does not start. Any other radio is opened here, through libuhd.
import type { Rig, RigBaseStation } from '../rig/index.js';
import { hostReport } from './agent.js';
import type { Check } from './check.js';

export function usrpCheck(rig: Rig, bs: RigBaseStation, timeoutMs: number): Check | null {
  const radio = bs.radio;
  if (!radio) return null;
  if (bs.driver === 'srsran-project' && bs.address)
    return {
      component: `${bs.id}/usrp`,
      check: radio.requireRefLock ? 'present, reference locked (on the gNB host)' : 'present (on the gNB host)',
      hardware: true,
      run: async () => {
        const s = await hostReport(rig, bs, timeoutMs);
        const usrp = /USRP[^;]*/.exec(s.baseStation ?? '')?.[0];
        return usrp ?? `not checked by the agent (${s.baseStation ?? 'no report'}): in attach mode the running gNB owns the USRP`;
      },
    };
  return {
    component: `${bs.id}/usrp`,
    check: radio.requireRefLock ? 'present, reference locked' : 'present',
    hardware: true,
    run: async () => {
      const { findUsrps, openUsrp } = await import('../../native/index.js');
      const found = await findUsrps(radio.args);
      if (!found.length) throw new Error(`no USRP matches "${radio.args}"`);
      const desc = `${found[0]!.type ?? ''} ${found[0]!.serial ? `serial ${found[0]!.serial}` : ''}`.trim();
      if (!radio.requireRefLock) return desc;
      const usrp = await openUsrp(radio.args);
      try {
        const s = await usrp.sensor('ref_locked');
        if (s.value !== true && s.value !== 'true') throw new Error(`${desc}: reference not locked`);
        return `${desc}, ref_locked`;
      } finally {
        await usrp.close();
      }
    },
  };
}
