// Preflight of an srsRAN gNB host's binary: the version `gnb --version` prints must be the
// release the rig declares (the agent speaks that release's formats). On a lab rig the agent
// asks its own binary on its host and reports what it found in E2 Setup; on a twin rig the
// controller starts the agents on this machine, so the same check runs here.
import { gnbBinaryOf } from '../ran/agent/index.js';
import type { SetupInfo } from '../ran/index.js';
import { describeGnbVersion, readGnbVersion, sameRelease } from '../ran/srsran/index.js';
import type { Rig, RigBaseStation } from '../rig/index.js';
import { hostReport } from './agent.js';
import type { Check } from './check.js';

const declaredOf = (bs: RigBaseStation) => bs.agent?.version ?? '25.10';

function mismatch(bs: RigBaseStation, binary: string, found: string): Error {
  return new Error(`agent ${bs.id}: gNB binary ${binary} reports version ${found}; the rig expects srsRAN Project ${declaredOf(bs)} (basestations ${bs.id} agent.version)`);
}

/** Runs the binary's --version on this host (the twin rig's agents run here). */
export async function gnbVersionHere(bs: RigBaseStation, timeoutMs: number): Promise<string> {
  const g = gnbBinaryOf(bs);
  if (!g) throw new Error(`agent ${bs.id}: the rig names no gnb binary (agent.gnb.binary)`);
  const v = await readGnbVersion(g.binary, g.args, Math.min(timeoutMs, 5000)).catch((err: Error) => {
    throw new Error(`agent ${bs.id}: ${err.message}`);
  });
  const found = describeGnbVersion(v);
  if (!sameRelease(v.version, declaredOf(bs))) throw mismatch(bs, g.binary, found);
  return `${g.binary}${g.args.length ? ` ${g.args.join(' ')}` : ''} reports srsRAN 5G gNB version ${found}, the rig's ${declaredOf(bs)}`;
}

/** What the agent found when it asked its binary on its host (E2 Setup). */
export function gnbVersionOfAgent(bs: RigBaseStation, s: SetupInfo): string {
  const binary = bs.agent?.gnb?.binary ?? 'gnb';
  if (!s.baseStationVersion) throw new Error(`agent ${bs.id} could not read its gNB's version: ${s.baseStation ?? 'no report (an agent older than the version check?)'}`);
  if (!sameRelease(s.baseStationVersion, declaredOf(bs))) throw mismatch(bs, binary, s.baseStationVersion);
  return `agent ${bs.id}: ${binary} reports srsRAN 5G gNB version ${s.baseStationVersion}, the rig's ${declaredOf(bs)}`;
}

/** The check for an srsRAN gNB the controller starts (none for one it attaches to). */
export function gnbVersionCheck(rig: Rig, bs: RigBaseStation, timeoutMs: number): Check | null {
  if (bs.driver !== 'srsran-project' || bs.agent?.mode === 'attach') return null;
  if (rig.mode === 'twin') return { component: bs.id, check: 'gNB binary and version', run: () => gnbVersionHere(bs, timeoutMs) };
  if (!bs.address) return null;
  return {
    component: bs.id,
    check: 'gNB binary and version (on the gNB host)',
    hardware: true,
    run: async () => gnbVersionOfAgent(bs, await hostReport(rig, bs, timeoutMs)),
  };
}
