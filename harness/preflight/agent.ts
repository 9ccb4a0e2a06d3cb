// A base station's RAN agent: a twin agent must be built (the controller starts it); a real one
// must answer E2 Setup over mutual TLS as the rig describes it (the same checks as a trial's
// bring-up). hostReport is what the agent found on its own host, for the gNB and USRP checks.
import { readTlsFiles } from '../certs/index.js';
import { existsSync } from 'node:fs';
import { messageOf } from '../errors.js';
import { cliEntry } from '../paths.js';
import { createBaseStation, type SetupInfo } from '../ran/index.js';
import type { Rig, RigBaseStation } from '../rig/index.js';
import type { Check } from './check.js';

const controllerTls = (rig: Rig) => (rig.tls ? readTlsFiles(rig.tls, 'controller') : undefined);

export function agentCheck(rig: Rig, bs: RigBaseStation, timeoutMs: number): Check {
  if (bs.driver === 'twin' || (rig.mode === 'twin' && bs.driver !== 'e2'))
    return {
      component: bs.id,
      check: `${bs.driver} agent built`,
      run: async () => {
        if (!existsSync(cliEntry)) throw new Error(`${cliEntry} missing: run npm run build`);
        return `${bs.driver} RAN agent started at bring-up`;
      },
    };
  return {
    component: bs.id,
    check: 'agent: reachable, certificate, backend, gNB',
    hardware: bs.driver !== 'e2',
    run: async () => {
      const driver = createBaseStation(bs.id, bs.address!, { deadlineMs: timeoutMs, tls: controllerTls(rig), expect: { nodeId: bs.id, operator: bs.operator, cells: bs.cells }, leaseRenewMs: 0 });
      try {
        const s = await driver.setup();
        if (bs.driver !== 'e2' && s.backend && s.backend !== bs.driver) throw new Error(`the agent runs backend ${s.backend}, the rig says ${bs.driver}`);
        const gnb = s.baseStation ? `; ${s.baseStation}` : '';
        return `backend ${s.backend || 'unknown'}${gnb}; ${s.cells.length} cells, RAN functions ${s.ranFunctions.map((f) => f.name).join(', ')}`;
      } finally {
        driver.close();
      }
    },
  };
}

/** What the agent on the gNB host reported in E2 Setup about its binary and radio. */
export async function hostReport(rig: Rig, bs: RigBaseStation, timeoutMs: number): Promise<SetupInfo> {
  const driver = createBaseStation(bs.id, bs.address!, { deadlineMs: timeoutMs, tls: controllerTls(rig), leaseRenewMs: 0 });
  try {
    return await driver.setup().catch((err: unknown) => {
      throw new Error(`checked by the agent on its host, which did not answer: ${messageOf(err)}`);
    });
  } finally {
    driver.close();
  }
}
