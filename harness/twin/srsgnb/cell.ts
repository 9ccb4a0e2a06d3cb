// The stand-in gNB's cell on the twin's air: it publishes what it transmits (its carrier, the
// PRBs its slice quota lets the scheduler use, from the carrier's low edge), evaluates its
// UEs with the twin's radio model against the other cells on the air, and writes each UE's
// reading for its twin modem, as the twin backend's cells do.
import { Air, type AirTransmission } from '../air.js';
import { evaluateCell, psdPer180kHzDbm, type Carrier, type CellRadio, type Interferer } from '../radio.js';
import { nrbOf, type StandinConfig } from './config.js';
import { DownlinkQueues, type UeLoad } from './queues.js';

export interface TwinSide {
  airDir: string;
  cellId: string;
  operator: string;
  txPowerDbm: number;
  /** dlDemandKbps: the UE's offered downlink load; absent: saturated (queues.ts). */
  ues: { id: string; pathLossDb: number; interferenceLossDb: number; txPowerDbm?: number; dlDemandKbps?: number }[];
}

/** One report period of the cell: the radio model's view and what the UEs' buffers made of it. */
export interface CellReport {
  radio: CellRadio;
  ues: UeLoad[];
  prbUsedDl: number;
}

const STALE_AFTER_MS = 5000;

export class StandinCell {
  readonly carrier: Carrier;
  private readonly air: Air;
  private readonly queues: DownlinkQueues;
  on = false;
  /** PRBs the slice may use (its max ratio of the carrier). */
  quotaPrb: number;

  constructor(
    readonly cfg: StandinConfig,
    readonly twin: TwinSide,
  ) {
    this.air = new Air(twin.airDir);
    const prbTotal = nrbOf(cfg.bandwidthMHz, cfg.scsKHz);
    this.carrier = { rat: 'NR', carrierMHz: cfg.dlFreqMHz, bandwidthMHz: cfg.bandwidthMHz, scsKHz: cfg.scsKHz, prbTotal, txPowerDbm: twin.txPowerDbm };
    this.quotaPrb = prbTotal;
    this.queues = new DownlinkQueues(twin.ues.map((u) => u.dlDemandKbps));
  }

  setMaxRatio(pct: number): void {
    this.quotaPrb = Math.floor((this.carrier.prbTotal * pct) / 100);
  }

  publish(): void {
    const prbMHz = (12 * this.cfg.scsKHz) / 1000;
    const low = this.cfg.dlFreqMHz - (this.carrier.prbTotal * prbMHz) / 2;
    const t: AirTransmission = {
      cellId: this.twin.cellId,
      operator: this.twin.operator,
      on: this.on && this.quotaPrb > 0,
      lowMHz: low,
      highMHz: low + this.quotaPrb * prbMHz,
      psdDbmPerPrb: psdPer180kHzDbm(this.carrier),
      updatedNs: (BigInt(Date.now()) * 1_000_000n).toString(),
    };
    this.air.publishTransmission(t);
  }

  /** One report period of periodMs: the UEs' readings go on the air with the rates their grants carried. */
  evaluate(periodMs: number): CellReport {
    const fresh = BigInt(Date.now() - STALE_AFTER_MS) * 1_000_000n;
    const air = this.air.transmissions().filter((t): t is Interferer & AirTransmission => t.cellId !== this.twin.cellId && /^\d+$/.test(String(t.updatedNs)) && BigInt(t.updatedNs) >= fresh);
    const r = evaluateCell({
      cellId: this.twin.cellId,
      operator: this.twin.operator,
      carrier: this.carrier,
      on: this.on,
      quota: { startPrb: 0, nPrb: this.quotaPrb },
      ues: this.twin.ues.map((u) => ({ id: u.id, pathLossDb: u.pathLossDb, interferenceLossDb: u.interferenceLossDb, txPowerDbm: u.txPowerDbm })),
      air,
    });
    const load = this.queues.step(r, periodMs);
    const now = (BigInt(Date.now()) * 1_000_000n).toString();
    for (const [i, u] of r.ues.entries()) {
      this.air.publishUe({
        ueId: u.ueId,
        cellId: this.twin.cellId,
        operator: this.twin.operator,
        // The PLMN its cell broadcasts (cell_cfg.plmn): a modem in manual selection camps only on its own.
        plmn: this.cfg.plmn,
        rat: 'NR',
        band: `n${this.cfg.band}`,
        pci: this.cfg.pci,
        arfcn: this.cfg.dlArfcn,
        bandwidthMHz: this.cfg.bandwidthMHz,
        scsKHz: this.cfg.scsKHz,
        inService: u.inService,
        rsrpDbm: u.rsrpDbm,
        rsrqDb: u.rsrqDb,
        sinrDb: u.sinrDb,
        cqi: u.cqi,
        throughputKbps: load.ues[i]!.carriedKbps,
        ulThroughputKbps: u.thpUlKbps,
        ulSinrDb: u.sinrUlDb,
        txPowerDbm: u.puschPowerDbm,
        updatedNs: now,
      });
    }
    return { radio: r, ...load };
  }
}
