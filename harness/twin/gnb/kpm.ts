// One E2SM-KPM indication for a cell from the radio model's figures: the TS 28.552 names of
// proto/e2.proto, cell records then per-UE records, downlink and uplink.
import { KPM, type WireKpmIndication, type WireRecord } from '../../wire/index.js';
import type { CellRadio } from '../radio.js';

const int = (name: string, v: number): WireRecord => ({ name, integer: String(Math.round(v)) });
const real = (name: string, v: number): WireRecord => ({ name, real: v });

export function kpmIndication(nodeId: string, r: CellRadio, collectionStartNs: bigint, periodMs: number, seq: bigint): WireKpmIndication {
  return {
    globalNodeId: nodeId,
    cellId: r.cellId,
    collectionStartTimeNs: collectionStartNs.toString(),
    granularityPeriodMs: periodMs,
    sequence: seq.toString(),
    cellRecords: [
      int(KPM.prbAvailDl, r.prbAvailDl),
      int(KPM.prbUsedDl, r.prbUsedDl),
      real(KPM.prbTotDl, r.prbTotDlPct),
      real(KPM.ueThpDl, r.thpDlKbps),
      int(KPM.prbAvailUl, r.prbAvailUl),
      int(KPM.prbUsedUl, r.prbUsedUl),
      real(KPM.prbTotUl, r.prbTotUlPct),
      real(KPM.ueThpUl, r.thpUlKbps),
    ],
    ueRecords: r.ues.map((u) => ({
      ueId: u.ueId,
      records: [
        real(KPM.ueThpDl, u.thpDlKbps),
        real(KPM.prbUsedDl, u.prbUsedDl),
        int(KPM.cqi, u.cqi),
        real(KPM.sinr, u.sinrDb),
        real(KPM.rsrp, u.rsrpDbm),
        real(KPM.rsrq, u.rsrqDb),
        real(KPM.ueThpUl, u.thpUlKbps),
        real(KPM.prbUsedUl, u.prbUsedUl),
        real(KPM.sinrUl, u.sinrUlDb),
      ],
    })),
  };
}
