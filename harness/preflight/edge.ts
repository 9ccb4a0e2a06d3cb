// An edge host: its agent must answer, and see the GPUs the rig declares (asked over mutual
// TLS, so without the rig's tls files that check is skipped, not failed). A twin rig's edge
// hosts have no address: they are started at bring-up.
import type { Rig } from '../rig/index.js';
import { Skip, type Check } from './check.js';
import { tcpReachable } from './tcp.js';

export function edgeChecks(rig: Rig, e: Rig['edge'][number], timeoutMs: number): Check[] {
  const address = e.address;
  if (!address) return [];
  const checks: Check[] = [{ component: e.id, check: 'edge agent reachable', hardware: true, run: () => tcpReachable(address, timeoutMs) }];
  if (e.gpus > 0)
    checks.push({
      component: e.id,
      check: `${e.gpus} GPU(s) visible`,
      hardware: true,
      run: async () => {
        if (!rig.tls) throw new Skip('needs the rig\'s tls files to ask the edge agent');
        const { EdgeClient } = await import('../edge/index.js');
        const c = new EdgeClient(e.id, address, rig.tls);
        try {
          const s = await c.status(timeoutMs);
          if (s.gpus.length < e.gpus) throw new Error(`the agent sees ${s.gpus.length} GPU(s) (${s.nvmlNote}); the rig says ${e.gpus}`);
          return s.gpus.map((g) => `${g.index}: ${g.name}`).join(', ');
        } finally {
          c.close();
        }
      },
    });
  return checks;
}
