// The stand-in's 25.10 metrics (facts/RAN.md §1.2 and §5): each DU period a `du` frame, then
// the scheduler's `cells` frame with `cell_metrics`, the flat `ue_list` and `event_list`.
// Rates are bit/s; PUSCH SNR is omitted when 0; PRB use is carried only where srsRAN carries
// it (per TDD slot index, TDD bands only). dl_brate is what each UE's grant carried and dl_bs
// its buffer after scheduling (queues.ts): backlogged while its demand exceeds the grant.
import type { CellReport } from './cell.js';
import type { StandinConfig } from './config.js';
import { cfloat, srsTimestamp } from './json.js';

const TDD_BANDS = new Set([38, 40, 41, 46, 48, 77, 78, 79]);
/** DDDSU-like pattern of a 10-slot TDD period: true for slots carrying PDSCH. */
const DL_SLOTS = [true, true, true, true, true, true, true, false, false, false];

export const FIRST_RNTI = 0x4601;

export function duFrame(): Record<string, unknown> {
  return { du: { du_high: null }, timestamp: srsTimestamp() };
}

export function cellsFrame(cfg: StandinConfig, report: CellReport, events: { rnti: number; type: 'ue_create' | 'ue_rem' }[], slotCounter: number): Record<string, unknown> {
  const r = report.radio;
  const tdd = TDD_BANDS.has(cfg.band);
  const cellMetrics: Record<string, unknown> = {
    pci: cfg.pci,
    error_indication_count: 0,
    average_latency: 180,
    max_latency: 420,
    nof_failed_pdcch_allocs: 0,
    nof_failed_uci_allocs: 0,
    latency_histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    msg3_nof_ok: 0,
    msg3_nof_nok: 0,
    avg_prach_delay: 0.0,
    late_dl_harqs: 0,
    late_ul_harqs: 0,
    pucch_tot_rb_usage_avg: 0.0,
  };
  if (tdd) {
    cellMetrics.pdsch_prbs_used_per_tdd_slot_idx = DL_SLOTS.map((d) => (d ? report.prbUsedDl : 0));
    cellMetrics.pusch_prbs_used_per_tdd_slot_idx = DL_SLOTS.map((d) => (d ? 0 : r.prbUsedUl));
  }
  const ueList = r.on
    ? r.ues.map((u, i) => {
        const e: Record<string, unknown> = {
          ue: i,
          pci: cfg.pci,
          rnti: FIRST_RNTI + i,
          dl_ri: 1.0,
          ul_ri: 1.0,
          dl_mcs: Math.min(27, Math.round(u.cqi * 1.8)),
          ul_mcs: Math.min(27, Math.round(u.cqiUl * 1.8)),
          dl_brate: Math.round(report.ues[i]!.carriedKbps * 1000),
          ul_brate: Math.round(u.thpUlKbps * 1000),
          dl_nof_ok: 800,
          dl_nof_nok: 8,
          ul_nof_ok: 400,
          ul_nof_nok: 4,
          dl_bs: report.ues[i]!.bufferBytes,
          bsr: 90000,
          pucch_snr_db: cfloat(u.sinrUlDb),
          ta_ns: 0.0,
          pusch_ta_ns: 0.0,
          pucch_ta_ns: 0.0,
          srs_ta_ns: 0.0,
          last_phr: 10,
        };
        if (u.cqi > 0) e.cqi = u.cqi;
        const snr = Math.max(-99.9, Math.min(99.9, u.sinrUlDb));
        if (snr !== 0) e.pusch_snr_db = cfloat(snr);
        return e;
      })
    : [];
  const cell: Record<string, unknown> = { cell_metrics: cellMetrics, ue_list: ueList };
  if (events.length) cell.event_list = events.map((e) => ({ slot: `${slotCounter % 1024}.0`, rnti: e.rnti, event_type: e.type }));
  return { cells: [cell], timestamp: srsTimestamp() };
}
