// The offload-latency trial kind (issue 11): the edge agent is brought up and the model
// deployed and profiled on both sides; each UE's cell is on, its KPM paces the UE's relay; then
// each policy runs as a condition on the same rig, every UE loaded at once by its own load
// generator. What each request measured goes to InfluxDB as it completes.
import { join } from 'node:path';
import { makeTrialCerts, type TlsFiles } from '../certs/index.js';
import { EdgeClient, startEdgeAgent, type ClockOffset, type InferStream, type WireStatus } from '../edge/index.js';
import { ConfigError } from '../errors.js';
import {
  BlockRunner,
  nowMs,
  OffloadUe,
  PacedRelay,
  PATCHNET,
  parsePolicy,
  policyName,
  predictSplits,
  runUeCondition,
  sampleInput,
  splitBytes,
  startTrialMarket,
  ueCpuLimit,
  type MarketSettlement,
  type TrialMarket,
  type UeConditionResult,
  type UeCpuLimit,
} from '../offload/index.js';
import type { RigOffload } from '../rig/index.js';
import type { TrialKind } from './kinds.js';
import { followRadio } from './offload-radio.js';
import { restoreGrants, scheduleGrants } from './offload-grants.js';

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
  /** Per-block compute measured at bring-up: the UE's as it runs them (slowdown included), the edge's. */
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
        // A lab UE's tensors must cross its modem's data session (bound to its address or
        // namespace); until that binding exists, refuse rather than measure the lab's LAN.
        throw new ConfigError(`edge host ${edgeRig.id}: offload over a lab modem's data session is not implemented yet (twin rigs only)`, 'OFFLOAD_LAB_UNSUPPORTED');
      }
      const direct = new EdgeClient(edgeRig.id, address, tls);
      closers.push(() => direct.close());
      const deployed = await session.race(direct.deploy(off.model, off.seed));
      opts.say?.(`edge ${edgeRig.id} at ${address}: ${off.model} deployed (${deployed.provider}), blocks ${deployed.blockMs.map((m) => m.toFixed(2)).join('/')} ms`);

      // 2. The UE side's model and its per-block times, as the UE runs them.
      const runner = await BlockRunner.load(spec, off.seed, 0, n);
      closers.push(() => runner.release());
      const input = sampleInput(spec, off.seed);
      const cpuLimit = ueCpuLimit(rig.mode === 'twin' ? off.ueSlowdown : 1);
      const calibratedMs = await runner.profile(0, n, 7, input);
      const ueBlockMs = calibratedMs.map((ms) => ms * cpuLimit.factor);

      // 3. Radio: every serving cell on with its whole carrier (unless spectrum sharing owns the
      // grants); KPM paces each UE's relay.
      const relays = new Map<string, PacedRelay>();
      const radio = await followRadio(session, ueIds, { kpmPeriodMs: opts.kpmPeriodMs, ownGrants: opts.fixedGrants !== false, onRates: (ue, r) => relays.get(ue)?.setRates(r) });
      closers.push(() => radio.close());
      const rates = radio.rates;

      // 4. Each UE's path to the edge (a paced relay on the twin) and its clock against the edge's.
      const ues = new Map<string, OffloadUe>();
      const clocks: OffloadTrialResult['clocks'] = [];
      for (const id of ueIds) {
        let path = address;
        if (rig.mode === 'twin') {
          const { relay, address: a } = await PacedRelay.start(id, address, rates.get(id)!, off.airDelayMs);
          relays.set(id, relay);
          closers.push(() => relay.close());
          path = a;
        }
        const client = new EdgeClient(edgeRig.id, path, tls);
        closers.push(() => client.close());
        const clock: ClockOffset = await session.race(direct.syncClock(8));
        clocks.push({ ue: id, offsetMs: clock.offsetNs / 1e6, errorMs: clock.errorNs / 1e6 });
        const stream: InferStream = client.openStream();
        closers.push(() => stream.end());
        ues.set(id, new OffloadUe(id, runner, cpuLimit.factor, stream, clock, input, calibratedMs));
      }

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
                    model: { ueBlockMs, edgeBlockMs: deployed.blockMs, splitBytes: bytes, airDelayMs: rig.mode === 'twin' ? off.airDelayMs : 0 },
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
