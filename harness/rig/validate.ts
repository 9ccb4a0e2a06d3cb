// Cross-reference checks that a schema cannot express: unique ids, references between
// sections, and radio facts (a carrier's bandwidth must exist for its numerology).
import { nrBandwidths, prbCount, prbWidthKHz } from '../nr/index.js';
import type { Rig } from './schema.js';

export interface RigProblem {
  path: PropertyKey[];
  message: string;
  line?: number;
}

function duplicates<T>(items: T[], key: (t: T) => string, path: (i: number) => PropertyKey[], what: string, out: RigProblem[]): void {
  const seen = new Map<string, number>();
  items.forEach((it, i) => {
    const k = key(it);
    const first = seen.get(k);
    if (first !== undefined) out.push({ path: path(i), message: `duplicate ${what} "${k}" (first at index ${first})` });
    else seen.set(k, i);
  });
}

export function crossCheck(rig: Rig): RigProblem[] {
  const out: RigProblem[] = [];
  const ops = new Set(rig.operators.map((o) => o.name));
  const bsById = new Map(rig.basestations.map((b) => [b.id, b]));

  duplicates(rig.operators, (o) => o.name, (i) => ['operators', i, 'name'], 'operator', out);
  duplicates(rig.basestations, (b) => b.id, (i) => ['basestations', i, 'id'], 'base station id', out);
  duplicates(rig.ues, (u) => u.id, (i) => ['ues', i, 'id'], 'UE id', out);
  duplicates(rig.edge, (e) => e.id, (i) => ['edge', i, 'id'], 'edge host id', out);
  const cells = rig.basestations.flatMap((b, bi) => b.cells.map((c, ci) => ({ id: c.id, path: ['basestations', bi, 'cells', ci, 'id'] })));
  duplicates(cells, (c) => c.id, (i) => cells[i]!.path, 'cell id', out);

  const embedded = rig.ledger.embedded === true;
  rig.operators.forEach((o, i) => {
    if ('generate' in o.account && !embedded)
      out.push({ path: ['operators', i, 'account'], message: 'generated keys only exist on the embedded ledger: give keyFile or keyEnv for a lab chain' });
    // An offload-only rig's edge owner may run no cell: it sells compute, it shares no band.
    const edgeOnly = rig.trial.kind === 'offload' && rig.edge.some((e) => e.owner === o.name);
    if (!rig.basestations.some((b) => b.operator === o.name) && !edgeOnly)
      out.push({ path: ['operators', i, 'name'], message: `operator "${o.name}" has no base station` });
  });

  const shares = rig.spectrum.initialBalances;
  if (shares && shares.length !== rig.operators.length)
    out.push({ path: ['spectrum', 'initialBalances'], message: `${shares.length} shares for ${rig.operators.length} operators (one per operator, in order)` });
  else if (shares && Math.abs(shares.reduce((a, b) => a + b, 0) - 1) > 1e-9)
    out.push({ path: ['spectrum', 'initialBalances'], message: `shares of the supply must sum to 1, got ${shares.reduce((a, b) => a + b, 0)}` });

  const W = rig.spectrum;
  rig.basestations.forEach((b, bi) => {
    if (!ops.has(b.operator)) out.push({ path: ['basestations', bi, 'operator'], message: `unknown operator "${b.operator}" (operators: ${[...ops].join(', ')})` });
    if (b.driver === 'twin' && rig.mode !== 'twin') out.push({ path: ['basestations', bi, 'driver'], message: 'the twin driver needs mode: twin' });
    const startedHere = rig.mode === 'twin' && b.driver !== 'e2';
    if (b.driver !== 'twin' && !b.address && !startedHere) out.push({ path: ['basestations', bi, 'address'], message: `missing: the ${b.driver} agent's host:port` });
    if (b.driver === 'srsran-project') checkSrsran(rig, b, bi, out);
    b.cells.forEach((c, ci) => {
      const at = ['basestations', bi, 'cells', ci];
      let prbs: number;
      try {
        prbs = prbCount(c.rat, c.bandwidthMHz, c.scsKHz);
      } catch (err) {
        out.push({ path: [...at, 'bandwidthMHz'], message: (err as Error).message });
        return;
      }
      const occupied = (prbs * prbWidthKHz(c.scsKHz)) / 1000;
      const low = c.carrierMHz - occupied / 2;
      const high = c.carrierMHz + occupied / 2;
      if (high <= W.lowEdgeMHz || low >= W.lowEdgeMHz + W.bandMHz)
        out.push({ path: [...at, 'carrierMHz'], message: `carrier ${low.toFixed(2)}–${high.toFixed(2)} MHz lies outside the shared band ${W.lowEdgeMHz}–${W.lowEdgeMHz + W.bandMHz} MHz` });
    });
  });

  rig.ues.forEach((u, ui) => {
    if (!ops.has(u.operator)) out.push({ path: ['ues', ui, 'operator'], message: `unknown operator "${u.operator}"` });
    const bs = bsById.get(u.servingBs);
    if (!bs) out.push({ path: ['ues', ui, 'servingBs'], message: `unknown base station "${u.servingBs}" (base stations: ${[...bsById.keys()].join(', ')})` });
    else if (bs.operator !== u.operator) out.push({ path: ['ues', ui, 'servingBs'], message: `base station "${bs.id}" belongs to ${bs.operator}, not to the UE's operator ${u.operator}` });
    if (u.driver === 'twin' && rig.mode !== 'twin') out.push({ path: ['ues', ui, 'driver'], message: 'the twin driver needs mode: twin' });
    if (u.driver === 'at-modem' && rig.mode === 'lab' && !u.port) out.push({ path: ['ues', ui, 'port'], message: 'missing: the modem\'s serial port (prefer /dev/serial/by-id/...)' });
    if (rig.mode === 'twin' && !u.twin) out.push({ path: ['ues', ui, 'twin'], message: 'missing: twin placement {pathLossDb, interferenceLossDb}' });
  });
  if (rig.trial.ueMarket) marketProblems(rig, out);

  const off = rig.offload;
  if (off) {
    const edges = rig.edge.map((e) => e.id);
    if (!edges.includes(off.edge)) out.push({ path: ['offload', 'edge'], message: `unknown edge host "${off.edge}" (edge: ${edges.join(', ') || 'none'})` });
    const ues = new Set(rig.ues.map((u) => u.id));
    off.ues?.forEach((u, i) => {
      if (!ues.has(u)) out.push({ path: ['offload', 'ues', i], message: `unknown UE "${u}"` });
    });
    const cellIds = new Set(rig.basestations.flatMap((b) => b.cells.map((c) => c.id)));
    off.grantSchedule.forEach((g, i) => {
      if (!cellIds.has(g.cell)) out.push({ path: ['offload', 'grantSchedule', i, 'cell'], message: `unknown cell "${g.cell}"` });
    });
    if (off.market) computeMarketProblems(rig, off, out);
  }
  return out;
}

/**
 * An srsRAN Project gNB: one NR cell of a band whose channel bandwidths are known, its
 * operator's PLMN, a core, and (managed on a twin rig) the gnb binary. Its grants are whole
 * carriers, so each operator's equal share of the band must hold the smallest carrier.
 */
function checkSrsran(rig: Rig, b: Rig['basestations'][number], bi: number, out: RigProblem[]): void {
  const at = ['basestations', bi];
  const op = rig.operators.find((o) => o.name === b.operator);
  if (op && !op.plmn) out.push({ path: ['operators', rig.operators.indexOf(op), 'plmn'], message: `missing: ${op.name}'s PLMN (its srsRAN gNB ${b.id} broadcasts it)` });
  if (!b.core) out.push({ path: [...at, 'core'], message: 'missing: the AMF {amfAddr, bindAddr} or {noCore: true}' });
  if (rig.mode === 'twin' && !b.agent?.gnb) out.push({ path: [...at, 'agent', 'gnb'], message: 'missing: the gnb binary the agent starts (on the twin: bin/ranlab.js with args [srsgnb-standin])' });
  if (b.cells.length !== 1) out.push({ path: [...at, 'cells'], message: `an srsRAN Project gNB here serves one cell, got ${b.cells.length}` });
  const c = b.cells[0];
  if (!c) return;
  const sizes = nrBandwidths(c.band, c.scsKHz);
  if (c.rat !== 'NR' || !sizes.length) {
    out.push({ path: [...at, 'cells', 0, 'band'], message: `no channel bandwidths known for ${c.rat} band ${c.band} at ${c.scsKHz} kHz (TS 38.101-1 Table 5.3.5-1)` });
    return;
  }
  const shareMHz = (Math.floor(Math.round((rig.spectrum.bandMHz * 1000) / rig.spectrum.tokenUnitKHz) / rig.operators.length) * rig.spectrum.tokenUnitKHz) / 1000;
  if (shareMHz < sizes[0]!)
    out.push({
      path: ['spectrum', 'bandMHz'],
      message: `each of ${rig.operators.length} operators' equal share is ${shareMHz.toFixed(2)} MHz, less than the smallest ${c.band} carrier at ${c.scsKHz} kHz (${sizes[0]} MHz): ${b.id} could never go on air with an equal share`,
    });
}

/** What the UE market needs: offers and PLMNs from every operator, a target from every UE. */
function marketProblems(rig: Rig, out: RigProblem[]): void {
  if (!rig.ledger.embedded) out.push({ path: ['trial', 'ueMarket'], message: 'the UE market needs the embedded ledger (UE accounts are generated there)' });
  rig.operators.forEach((o, i) => {
    if (!o.ueOffer) out.push({ path: ['operators', i], message: 'missing ueOffer {priceTokensPerMbit, maxDlKbps}: trial.ueMarket is on' });
    if (!o.plmn) out.push({ path: ['operators', i], message: 'missing plmn: with trial.ueMarket a UE selects its winner by PLMN' });
  });
  duplicates(rig.operators, (o) => o.plmn ?? `(none: ${o.name})`, (i) => ['operators', i, 'plmn'], 'PLMN', out);
  rig.ues.forEach((u, i) => {
    if (u.minDlKbps === undefined) out.push({ path: ['ues', i], message: 'missing minDlKbps (the QoS target): trial.ueMarket is on' });
    if (u.driver !== 'at-modem') out.push({ path: ['ues', i, 'driver'], message: 'the UE market selects the winner by AT+COPS: only at-modem UEs take part' });
  });
  const ueTokens = rig.ues.reduce((a, u) => a + u.tokens, 0);
  if (ueTokens >= rig.spectrum.supplyTokens)
    out.push({ path: ['ues'], message: `the UEs' tokens (${ueTokens}) leave nothing of spectrum.supplyTokens (${rig.spectrum.supplyTokens}) for the operators` });
}

/**
 * The compute market pays in the ledger's token, from the UE's operator to the edge host's
 * owner: both operators of the (embedded) ledger, and not the same one.
 */
function computeMarketProblems(rig: Rig, off: NonNullable<Rig['offload']>, out: RigProblem[]): void {
  const ei = rig.edge.findIndex((e) => e.id === off.edge);
  if (ei < 0) return;
  const owner = rig.edge[ei]!.owner;
  const ops = rig.operators.map((o) => o.name);
  if (!rig.ledger.embedded) out.push({ path: ['offload', 'market'], message: 'the compute market is deployed with the embedded ledger (on a lab chain it is not supported yet)' });
  if (!owner) return void out.push({ path: ['edge', ei, 'owner'], message: 'the compute market pays the edge host\'s owner: name it (an operator of the ledger)' });
  if (!ops.includes(owner)) return void out.push({ path: ['edge', ei, 'owner'], message: `unknown operator "${owner}" (operators: ${ops.join(', ')})` });
  const ids = off.ues ?? rig.ues.map((u) => u.id);
  const payers = [...new Set(rig.ues.filter((u) => ids.includes(u.id)).map((u) => u.operator))];
  if (payers.length > 1) out.push({ path: ['offload', 'ues'], message: `the compute market has one payer: the offloading UEs belong to ${payers.join(', ')}` });
  else if (payers[0] === owner) out.push({ path: ['edge', ei, 'owner'], message: `operator ${owner} would pay itself: the edge owner must be another operator than the UEs' (${owner})` });
}
