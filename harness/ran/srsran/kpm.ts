// KPM indications from the gNB's scheduler reports: every granularity period the latest
// report (if fresh) becomes one indication for the cell. Units: dl_brate/ul_brate bit/s ->
// DRB.UEThp kbit/s; PRB use only where the report carries it; pusch_snr_db as SINR.UL (never
// RSRP); UEs named by their RNTI (the gNB does not know the rig's names).
import * as grpc from '@grpc/grpc-js';
import { nowNs } from '../../measure/types.js';
import { KPM, KPM_RAN_FUNCTION, MAX_KPM_PERIOD_MS, MIN_KPM_PERIOD_MS, type KpmStream, type WireKpmIndication, type WireRecord } from '../../wire/index.js';
import type { SrsranProjectBackend } from './backend.js';

const int = (name: string, v: number): WireRecord => ({ name, integer: String(Math.round(v)) });
const real = (name: string, v: number): WireRecord => ({ name, real: v });

export function indicationOf(b: SrsranProjectBackend, periodMs: number, seq: bigint, startNs: bigint): WireKpmIndication {
  const fresh = b.sample && performance.now() - b.sample.atMs <= 3 * b.cfg.duReportPeriodMs ? b.sample.cell : null;
  const cell = b.on ? fresh : null;
  const avail = b.on ? b.quotaPrb : 0;
  const records: WireRecord[] = [int(KPM.prbAvailDl, avail)];
  const ues = cell?.ues ?? [];
  if (cell?.prbUsedDl !== undefined) {
    const used = Math.min(cell.prbUsedDl, b.prbTotal);
    records.push(int(KPM.prbUsedDl, Math.min(used, avail)), real(KPM.prbTotDl, (100 * Math.min(used, avail)) / b.prbTotal));
  }
  records.push(real(KPM.ueThpDl, ues.reduce((a, u) => a + u.dlKbps, 0)), real(KPM.ueThpUl, ues.reduce((a, u) => a + u.ulKbps, 0)));
  return {
    globalNodeId: b.settings.nodeId,
    cellId: b.cfg.cell.id,
    collectionStartTimeNs: startNs.toString(),
    granularityPeriodMs: periodMs,
    sequence: seq.toString(),
    cellRecords: records,
    ueRecords: ues.map((u) => ({
      ueId: `rnti-${u.rnti}`,
      records: [
        real(KPM.ueThpDl, u.dlKbps),
        real(KPM.ueThpUl, u.ulKbps),
        ...(u.cqi === undefined ? [] : [int(KPM.cqi, u.cqi)]),
        ...(u.puschSnrDb === undefined ? [] : [real(KPM.sinrUl, u.puschSnrDb)]),
      ],
    })),
  };
}

export function streamSrsranKpm(call: KpmStream, b: SrsranProjectBackend, onEnd: () => void): { stop(end: boolean): void } | null {
  const refuse = (code: grpc.status, details: string) => {
    call.emit('error', { code, details, metadata: new grpc.Metadata() });
    return null;
  };
  const req = call.request;
  if (req.ranFunctionId !== KPM_RAN_FUNCTION.id) return refuse(grpc.status.INVALID_ARGUMENT, `ran_function_id ${req.ranFunctionId} is not E2SM-KPM (${KPM_RAN_FUNCTION.id})`);
  const period = req.granularityPeriodMs;
  if (!Number.isInteger(period) || period < MIN_KPM_PERIOD_MS || period > MAX_KPM_PERIOD_MS)
    return refuse(grpc.status.INVALID_ARGUMENT, `granularity period ${period} ms is outside ${MIN_KPM_PERIOD_MS}..${MAX_KPM_PERIOD_MS} ms`);
  for (const id of req.cellIds ?? []) if (id !== b.cfg.cell.id) return refuse(grpc.status.NOT_FOUND, `no cell ${JSON.stringify(String(id).slice(0, 64))} at node ${b.settings.nodeId}`);
  let seq = 0n;
  let stopped = false;
  let blocked = false;
  const timer = setInterval(() => {
    if (blocked) return;
    seq++;
    const startNs = nowNs() - BigInt(period) * 1_000_000n;
    if (!call.write(indicationOf(b, period, seq, startNs))) {
      blocked = true;
      call.once('drain', () => (blocked = false));
    }
  }, period);
  const sub = {
    stop: (end: boolean) => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      onEnd();
      if (end) {
        try {
          call.end();
        } catch {
          // already closed
        }
      }
    },
  };
  call.on('cancelled', () => sub.stop(false));
  call.on('error', () => sub.stop(false));
  call.on('close', () => sub.stop(false));
  return sub;
}
