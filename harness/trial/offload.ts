// The offload-latency trial kind (issue 11): the edge agent is brought up and the model
// deployed and profiled on both sides (each UE's side in its own host process, offload-ues.ts);
// each UE's cell is on, its KPM paces the UE's relay (twin); then
// each policy runs as a condition on the same rig, every UE loaded at once by its own load
// generator. What each request measured goes to InfluxDB as it completes.
import { join } from 'node:path';
import { makeTrialCerts, type TlsFiles } from '../certs/index.js';
import { EdgeClient, startEdgeAgent, type WireStatus } from '../edge/index.js';
import { ConfigError } from '../errors.js';
import {
  describeUeHosts,
  nowMs,
  PacedRelay,
  PATCHNET,
  parsePolicy,
  policyName,
  predictSplits,
  runUeCondition,
  splitBytes,
  startTrialMarket,
  type MarketSettlement,
  type TrialMarket,
  type UeConditionResult,
  type UeCpuLimit,
} from '../offload/index.js';
import type { RigOffload } from '../rig/index.js';
import type { TrialKind } from './kinds.js';
import { followRadio } from './offload-radio.js';
import { restoreGrants, scheduleGrants } from './offload-grants.js';
import { startOffloadUes } from './offload-ues.js';

export interface OffloadTrialOptions {
  offload: RigOffload;
  kpmPeriodMs: number;
  /** Filled as conditions complete (the report keeps them if the trial stops early). */
  conditions?: UeConditionResult[][];
  say?: (line: string) => void;
  /** True: this kind owns the grants (whole carriers, the rig's grantSchedule). False in a combined run, where spectrum sharing moves them. */
  fixedGrants?: boolean;
}

export interface OffloadTrialResult {
  model: string;
  splitBytes: number[];
  /** Per-block compute measured at bring-up: the UEs' as they run them (the slowest UE's per block), the edge's. */
  ueBlockMs: number[];
  edgeBlockMs: number[];
  cpuLimit: UeCpuLimit;
  edgeProvider: string;
  edgeStatus: Pick<WireStatus, 'hostId' | 'provider' | 'nvmlNote' | 'cpuCount' | 'gpus'> & { computeNs: string; served: string };
  clocks: { ue: string; offsetMs: number; errorMs: number }[];
  conditions: UeConditionResult[][];
  /** The compute market's sessions and settlements (null when the rig has no market), on the ledger's chain in its token. */
  market: {
    token: string;
    contract: string;
    serviceId: string;
    payer: string;
    owner: string;
    settlements: MarketSettlement[];
    /** Balances after the last settlement, and deposits the market still holds (micro-tokens). */
    payerMicro: string;
    ownerMicro: string;
    escrowMicro: string;
    /** The one token's supply: every account the ledger knows plus both contracts' escrow, after the trial (run-offload fills it). */
    supply?: { initialMicro: string; finalMicro: string; conserved: boolean };
  } | null;
}

export const offloadLatency: TrialKind<OffloadTrialOptions, OffloadTrialResult> = {
  name: 'offload',
  async run(session, opts, progress, signal) {
    const { rig } = session;
    const off = opts.offload;
    const spec = PATCHNET;
    const n = spec.blocks.length;
    const edgeRig = rig.edge.find((e) => e.id === off.edge)!;
    const ueIds = off.ues ?? rig.ues.map((u) => u.id);
    const closers: (() => void | Promise<void>)[] = [];
    try {
      // 1. The edge agent: started here on a twin rig (its certificate from this trial's CA).
      let address: string;
      let tls: TlsFiles;
      if (rig.mode === 'twin') {
        const certs = await makeTrialCerts(join(session.opts.resultsDir, 'edge-certs'), [edgeRig.id]);
        address = await session.race(startEdgeAgent(session.supervisor, edgeRig.id, certs.agents.get(edgeRig.id)!, join(session.opts.resultsDir, 'edge')));
        tls = certs.controller;
      } else {
        // The lab's edge agent, over the lab's mutual TLS; each UE reaches it through its data session.
        if (!edgeRig.address || !rig.tls) throw new ConfigError(`edge host ${edgeRig.id}: a lab rig needs the edge agent's address and tls {caFile, certFile, keyFile}`, 'OFFLOAD_LAB_CONFIG');
        address = edgeRig.address;
        tls = rig.tls;
      }
      const direct = new EdgeClient(edgeRig.id, address, tls);
      closers.push(() => direct.close());
      const deployed = await session.race(direct.deploy(off.model, off.seed));
      opts.say?.(`edge ${edgeRig.id} at ${address}: ${off.model} deployed (${deployed.provider}), blocks ${deployed.blockMs.map((m) => m.toFixed(2)).join('/')} ms`);

      // 3. Radio: every serving cell on with its whole carrier (unless spectrum sharing owns the
      // grants); KPM paces each UE's relay.
      const relays = new Map<string, PacedRelay>();
      const radio = await followRadio(session, ueIds, { kpmPeriodMs: opts.kpmPeriodMs, ownGrants: opts.fixedGrants !== false, onRates: (ue, r) => relays.get(ue)?.setRates(r) });
      closers.push(() => radio.close());
      const rates = radio.rates;

      // 4. Each UE's host process (the head, its per-block times measured in it at bring-up, its
      // clock against the edge's) and its path to the edge: a paced relay on the twin, the
      // modem's data session on a lab rig.
      // The edge's clock is read once from here, unthrottled; each UE host derives its own from it.
      const clock = await session.race(direct.syncClock(8));
      const ues = await startOffloadUes(session, { ueIds, edge: { id: edgeRig.id, address, tls }, offload: off, clock, rates, relays, closers });
      const clocks: OffloadTrialResult['clocks'] = [...ues.values()].map((u) => ({ ue: u.id, offsetMs: u.clock.offsetNs / 1e6, errorMs: u.clock.errorNs / 1e6 }));
      const cpuLimit: UeCpuLimit = describeUeHosts([...ues.values()]);
      // The slowest UE's, block by block (each UE's own plans with its own).
      const ueBlockMs = spec.blocks.map((_, i) => Math.max(...[...ues.values()].map((u) => u.blockMs[i]!)));

      // 5. The compute market: the edge's service on chain, discovered and chosen by price and predicted latency.
      const bytes = splitBytes(spec);
      const market = off.market
        ? await session.race(
            startTrialMarket({
              ledger: session.ledger,
              payer: rig.ues.find((u) => u.id === ueIds[0])!.operator,
              owner: edgeRig.owner!,
              endpoint: `${edgeRig.id}@${address}`,
              model: off.model,
              priceMicroPerSecond: BigInt(Math.round(off.market.pricePerComputeSecond * 1e6)),
              depositMicro: BigInt(Math.round(off.market.depositTokens * 1e6)),
              capacity: off.market.capacity,
              // The best split's predicted latency for the slowest UE on this service.
              predictMs: () => Math.max(...ueIds.map((id) => Math.min(...predictSplits({ ueBlockMs, edgeBlockMs: deployed.blockMs, splitBytes: bytes, airDelayMs: off.airDelayMs, edgeQueueMs: 0, arrivalHz: 0, ...rates.get(id)! })))),
              p99Ms: off.qoais.p99Ms,
            }),
          )
        : null;
      if (market) opts.say?.(`compute market ${market.market.address} (the ledger's chain and token): ${market.services} service(s); chose #${market.chosen.id} at ${market.chosen.priceMicroPerSecond} µtokens per compute-second; ${market.payer} pays ${market.owner}`);
      const settlements: MarketSettlement[] = [];

      // 6. Warm-up (not measured, as LoadGen's): every UE's path and both sides' runtimes at each split.
      for (const ue of ues.values()) for (let k = 0; k <= n; k++) await session.race(ue.request(-1, nowMs(), k));

      // 7. The conditions, one policy at a time, every UE at once.
      const conditions = opts.conditions ?? [];
      progress.start(off.policies.length, { condition: '-' });
      for (const [ci, name] of off.policies.entries()) {
        if (signal.aborted) break;
        const policy = parsePolicy(name);
        if (policy.kind === 'fixed' && policy.split > n) throw new ConfigError(`offload.policies: fixed split ${policy.split} is beyond the model's ${n} blocks`, 'OFFLOAD_POLICY');
        progress.update(ci, { condition: name });
        const schedule = opts.fixedGrants === false ? [] : off.grantSchedule;
        const session_ = market ? await session.race(market.open(policyName(policy))) : null;
        const computeBefore = market ? BigInt((await session.race(direct.status())).computeNs) : 0n;
        const timers = scheduleGrants(session, schedule);
        try {
          const perUe = await session.race(
            Promise.all(
              ueIds.map((id, ui) =>
                runUeCondition(
                  {
                    ue: ues.get(id)!,
                    tags: { ...session.baseTags(), ue: id, edge: edgeRig.id, condition: policyName(policy), policy: policyName(policy) },
                    policy,
                    qoais: off.qoais,
                    load: { ...off.loadgen, seed: off.loadgen.seed + ui * 7919 + ci },
                    model: { ueBlockMs: ues.get(id)!.blockMs, edgeBlockMs: deployed.blockMs, splitBytes: bytes, airDelayMs: rig.mode === 'twin' ? off.airDelayMs : 0 },
                    rates: () => rates.get(id)!,
                    redecidePct: off.redecidePct,
                    write: (p) => session.write(p),
                  },
                  signal,
                ),
              ),
            ),
          );
          conditions.push(perUe);
          // Settled automatically: the edge's measured compute time over the condition.
          if (session_) {
            const computeNs = BigInt((await session.race(direct.status())).computeNs) - computeBefore;
            settlements.push(await session.race(session_.close(computeNs / 1000n)));
          }
        } finally {
          timers.forEach(clearTimeout);
          if (schedule.length) await restoreGrants(session);
        }
      }
      progress.update(off.policies.length, { condition: 'done' });
      progress.stop();
      const st = await session.race(direct.status());
      return {
        model: off.model,
        splitBytes: bytes,
        ueBlockMs,
        edgeBlockMs: deployed.blockMs,
        cpuLimit,
        edgeProvider: deployed.provider,
        edgeStatus: { hostId: st.hostId, provider: st.provider, nvmlNote: st.nvmlNote, cpuCount: st.cpuCount, gpus: st.gpus, computeNs: st.computeNs, served: st.served },
        clocks,
        conditions,
        market: market ? await marketSummary(market, settlements) : null,
      };
    } finally {
      for (const c of closers.reverse()) await Promise.resolve(c()).catch(() => undefined);
    }
  },
};

async function marketSummary(market: TrialMarket, settlements: MarketSettlement[]): Promise<NonNullable<OffloadTrialResult['market']>> {
  const b = await market.balances();
  return {
    token: market.token,
    contract: market.market.address,
    serviceId: String(market.chosen.id),
    payer: market.payer,
    owner: market.owner,
    settlements,
    payerMicro: String(b.payer),
    ownerMicro: String(b.owner),
    escrowMicro: String(b.escrow),
  };
}
