// E2 RC control on an srsRAN Project gNB: cell on/off (start it, or `quit` it), a carrier
// change (a retune: new YAML, restart, acknowledged when the cell is up), and a PRB ratio
// quota (rrm_policy_ratio_set), acknowledged only when the scheduler's metrics show the cell
// within it while its UEs are saturated (confirm.ts): the gNB answers success even when no
// slice matched.
import * as grpc from '@grpc/grpc-js';
import { childLog } from '../../log.js';
import { messageOf } from '../../errors.js';
import { prbCount } from '../../nr/index.js';
import { RpcError, type WireControlAck, type WireControlRequest } from '../../wire/index.js';
import type { SrsranProjectBackend } from './backend.js';
import { ConfirmWatch } from './confirm.js';

const log = childLog('ran.srsran');

interface Reply {
  done(cellId: string): WireControlAck;
  failure(cellId: string, message: string): WireControlAck;
  cellIdOf(id: unknown): string;
}

export async function applyControl(b: SrsranProjectBackend, req: WireControlRequest, client: string, r: Reply): Promise<WireControlAck> {
  const node = b.settings.nodeId;
  if (req.action === 'prbQuota' && req.prbQuota) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `cell ${r.cellIdOf(req.prbQuota.cellId)} is an srsRAN Project cell: it takes a carrier and a PRB ratio (CarrierChange, PrbRatioQuota), not a PRB range`);
  }
  if (req.action === 'cellState' && req.cellState) {
    const id = r.cellIdOf(req.cellState.cellId);
    try {
      if (req.cellState.on) await b.switchOn();
      else await b.switchOff();
    } catch (err) {
      return r.failure(id, `cell ${req.cellState.on ? 'on' : 'off'}: ${messageOf(err)}`);
    }
    log.info({ node, cell: id, on: b.on, client }, 'cell state applied');
    return r.done(id);
  }
  if (req.action === 'carrier' && req.carrier) {
    const id = r.cellIdOf(req.carrier.cellId);
    const { carrierMhz, bandwidthMhz } = req.carrier;
    if (b.cfg.mode === 'attach') {
      throw new RpcError(
        grpc.status.FAILED_PRECONDITION,
        `cell ${id}: attach mode cannot change the carrier (a carrier change restarts the gNB, which the lab started itself); it stays at ${b.carrier.carrierMHz} MHz / ${b.carrier.bandwidthMHz} MHz`,
      );
    }
    try {
      prbCount('NR', bandwidthMhz, b.cfg.cell.scsKHz);
    } catch (err) {
      throw new RpcError(grpc.status.INVALID_ARGUMENT, `cell ${id}: ${bandwidthMhz} MHz is not a standard channel bandwidth at ${b.cfg.cell.scsKHz} kHz: ${messageOf(err)}`);
    }
    if (!(carrierMhz > 0) || !Number.isFinite(carrierMhz)) throw new RpcError(grpc.status.INVALID_ARGUMENT, `cell ${id}: carrier ${carrierMhz} MHz`);
    if (carrierMhz === b.carrier.carrierMHz && bandwidthMhz === b.carrier.bandwidthMHz) return r.done(id);
    const t0 = performance.now();
    try {
      await b.retune({ carrierMHz: carrierMhz, bandwidthMHz: bandwidthMhz });
    } catch (err) {
      return r.failure(id, `retune to ${carrierMhz} MHz / ${bandwidthMhz} MHz: ${messageOf(err)}`);
    }
    log.info({ node, cell: id, carrierMhz, bandwidthMhz, ms: Math.round(performance.now() - t0), client }, 'retuned (gNB restarted)');
    return r.done(id);
  }
  if (req.action === 'prbRatio' && req.prbRatio) {
    const id = r.cellIdOf(req.prbRatio.cellId);
    const pct = req.prbRatio.maxRatioPct;
    if (!Number.isInteger(pct) || pct < 0 || pct > 100) throw new RpcError(grpc.status.INVALID_ARGUMENT, `cell ${id}: max ratio ${pct} % is outside 0..100`);
    if (b.cfg.version === '25.04' && pct !== 100)
      return r.failure(id, `srsRAN Project 25.04 has no run-time PRB quota: a grant applies by retune only (asked for ${pct} %)`);
    const before = b.ratioPct;
    b.ratioPct = pct;
    // Off: the ratio goes into the YAML when the gNB next starts. Unchanged: nothing to send.
    if (!b.on || (pct === before && pct === 100) || b.cfg.version === '25.04') return r.done(id);
    try {
      await b.sendRatio(pct);
    } catch (err) {
      return r.failure(id, `rrm_policy_ratio_set: ${messageOf(err)}`);
    }
    return confirmQuota(b, id, pct, r);
  }
  throw new RpcError(grpc.status.INVALID_ARGUMENT, 'control request has no action (expected cell_state, carrier or prb_ratio)');
}

/** Wait for a saturated report of the cell within the quota (confirm.ts); a success reply alone proves nothing. */
async function confirmQuota(b: SrsranProjectBackend, id: string, pct: number, r: Reply): Promise<WireControlAck> {
  const quota = b.quotaPrb;
  const watch = new ConfirmWatch();
  const seen = await b.waitSample((c) => watch.confirms(c, quota + b.cfg.quotaConfirm.slackPrb), b.cfg.quotaConfirm.timeoutMs);
  if (seen) {
    log.info({ node: b.settings.nodeId, cell: id, pct, quota, used: seen.prbUsedDl }, 'PRB ratio confirmed in the scheduler metrics of a saturated cell');
    return r.done(id);
  }
  const why = watch.why(quota, pct, b.prbTotal);
  log.warn({ node: b.settings.nodeId, cell: id, pct, quota, why }, 'PRB ratio not confirmed');
  return r.failure(id, `PRB ratio ${pct} % not confirmed on cell ${id} within ${b.cfg.quotaConfirm.timeoutMs} ms: ${why} (the gNB answered success, as it does even when no slice matches)`);
}
