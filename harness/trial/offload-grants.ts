// Grants in an offload trial that owns them: scripted changes during a condition (e.g.
// halving a UE's cell mid-run) and the whole carrier back afterwards.
import { ComponentError, ConfigError } from '../errors.js';
import type { RigOffload } from '../rig/index.js';
import type { RigSession } from './session.js';

function cellOwner(session: RigSession, cellId: string) {
  for (const bs of session.basestations.values()) {
    const cell = bs.setup.cells.find((c) => c.id === cellId);
    if (cell) return { bs, cell };
  }
  throw new ConfigError(`offload.grantSchedule: unknown cell "${cellId}"`);
}

/** The scripted grant changes of a condition (e.g. halving a UE's cell mid-run). */
export function scheduleGrants(session: RigSession, schedule: RigOffload['grantSchedule']): NodeJS.Timeout[] {
  return schedule.map((g) =>
    setTimeout(() => {
      const { bs, cell } = cellOwner(session, g.cell);
      bs.driver.control({ kind: 'prbQuota', cellId: cell.id, startPrb: 0, nPrb: Math.min(g.prbs, cell.prbTotal) }).catch((err: unknown) => session.fail(new ComponentError(bs.rig.id, `grant change: ${String(err)}`, 'CONTROL_FAILED')));
    }, g.atMs),
  );
}

export async function restoreGrants(session: RigSession): Promise<void> {
  for (const bs of session.basestations.values())
    for (const cell of bs.setup.cells) await session.race(bs.driver.control({ kind: 'prbQuota', cellId: cell.id, startPrb: 0, nPrb: cell.prbTotal }));
}
