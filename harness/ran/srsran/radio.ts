// The radio check on the gNB's host (the gNB owns the USRP, not the controller): before the
// agent first starts the gNB, the USRP named by the device args must be there and, when the
// rig asks, its reference locked. The result is reported through E2 Setup (preflight shows it).
import { ComponentError, messageOf } from '../../errors.js';

export async function checkUsrp(nodeId: string, args: string, requireRefLock: boolean): Promise<string> {
  const { findUsrps, openUsrp } = await import('../../../native/index.js');
  let found: Awaited<ReturnType<typeof findUsrps>>;
  try {
    found = await findUsrps(args);
  } catch (err) {
    throw new ComponentError(`${nodeId}/usrp`, `UHD cannot look for the USRP "${args}": ${messageOf(err)}`, 'RADIO_UNAVAILABLE', { cause: err });
  }
  if (!found.length) throw new ComponentError(`${nodeId}/usrp`, `no USRP matches "${args}" on this host`, 'RADIO_UNAVAILABLE');
  const desc = `USRP ${found[0]!.type ?? ''}${found[0]!.serial ? ` serial ${found[0]!.serial}` : ''}`.trim();
  if (!requireRefLock) return desc;
  const usrp = await openUsrp(args);
  try {
    const s = await usrp.sensor('ref_locked');
    if (s.value !== true && s.value !== 'true') throw new ComponentError(`${nodeId}/usrp`, `${desc}: reference not locked`, 'RADIO_UNAVAILABLE');
    return `${desc}, ref_locked`;
  } finally {
    await usrp.close();
  }
}
