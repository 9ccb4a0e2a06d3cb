// The gNB's YAML (facts/RAN.md §1.1-1.3): radio (ru_sdr), core (cu_cp.amf or no_core), the
// cell (band, dl_arfcn on the NR raster, bandwidth, SCS, PCI, PLMN, TAC) with the operator's
// one slice under cell_cfg.slicing, remote control on loopback and JSON metrics.
import { stringify } from 'yaml';
import { nrArfcn } from '../../nr/index.js';
import type { SrsranConfig } from './config.js';

export interface Carrier {
  carrierMHz: number;
  bandwidthMHz: number;
}

export function gnbYaml(c: SrsranConfig, carrier: Carrier, maxRatioPct: number): string {
  const [rcHost, rcPort] = splitHostPort(c.remoteControl.address);
  const doc: Record<string, unknown> = {
    cu_cp: { amf: 'noCore' in c.core ? { no_core: true } : { addr: c.core.amfAddr, port: c.core.amfPort, bind_addr: c.core.bindAddr, supported_tracking_areas: [{ tac: c.tac, plmn_list: [{ plmn: c.plmn, tai_slice_support_list: [sliceId(c)] }] }] } },
    ru_sdr: {
      device_driver: c.radio.deviceDriver,
      device_args: c.radio.deviceArgs,
      srate: c.radio.srateMHz,
      tx_gain: c.radio.txGainDb,
      rx_gain: c.radio.rxGainDb,
      ...(c.radio.clock ? { clock: c.radio.clock } : {}),
    },
    cell_cfg: {
      dl_arfcn: nrArfcn(carrier.carrierMHz),
      band: Number(c.cell.band.slice(1)),
      channel_bandwidth_MHz: carrier.bandwidthMHz,
      common_scs: c.cell.scsKHz,
      plmn: c.plmn,
      tac: c.tac,
      pci: c.cell.pci,
      slicing: [{ ...sliceId(c), sched_cfg: { min_prb_policy_ratio: 0, max_prb_policy_ratio: maxRatioPct } }],
    },
    remote_control: { enabled: true, bind_addr: rcHost, port: rcPort },
    metrics: {
      enable_json: true,
      periodicity: { du_report_period: c.duReportPeriodMs },
      ...(c.version === '25.04' ? { addr: splitHostPort(c.metricsUdp!.address)[0], port: splitHostPort(c.metricsUdp!.address)[1] } : {}),
    },
  };
  return stringify(doc);
}

function sliceId(c: SrsranConfig): { sst: number; sd?: number } {
  return { sst: c.slice.sst, ...(c.slice.sd === undefined ? {} : { sd: c.slice.sd }) };
}

export function splitHostPort(a: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(a)!;
  return [m[1]!.replace(/^\[|\]$/g, ''), Number(m[2])];
}
