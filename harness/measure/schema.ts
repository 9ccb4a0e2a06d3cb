// The InfluxDB schema ranlab writes: one entry per measurement, with its tags and fields.
// The runner produces these points; the dashboard (dashboards/ranlab-trial.json) and the
// report read them. Field kinds matter to InfluxDB: a field's type is fixed by its first
// write in a shard, and a later point with another type is refused ("field type conflict").
// So every number is written as a float except the fields marked 'integer' here.

export type FieldKind = 'float' | 'integer' | 'boolean' | 'string';

export interface MeasurementSchema {
  /** Tag keys (besides these, a point may carry no others). `rig` and `trial` are on every point. */
  tags: readonly string[];
  fields: Readonly<Record<string, FieldKind>>;
}

export const MEASUREMENTS = {
  epoch_operator: {
    tags: ['rig', 'trial', 'policy', 'operator'],
    fields: {
      epoch: 'integer',
      demandUnits: 'float',
      grantUnits: 'float',
      useUnits: 'float',
      grantMHz: 'float',
      usedUnits: 'float',
      throughputMbps: 'float',
      balanceTokens: 'float',
      costTokens: 'float',
    },
  },
  epoch: {
    tags: ['rig', 'trial', 'policy'],
    fields: { epoch: 'integer', jain: 'float', totalGrantMHz: 'float' },
  },
  kpm_cell: {
    /** epoch: the trial's epoch the point was measured in (absent between epochs); a settlement's digest covers them. */
    tags: ['rig', 'trial', 'operator', 'bs', 'cell', 'epoch'],
    /** Uplink fields (…Ul) only when the agent reports the uplink. */
    fields: {
      prbAvailDl: 'float',
      prbUsedDl: 'float',
      prbTotDlPct: 'float',
      thpDlKbps: 'float',
      prbAvailUl: 'float',
      prbUsedUl: 'float',
      prbTotUlPct: 'float',
      thpUlKbps: 'float',
    },
  },
  kpm_ue: {
    tags: ['rig', 'trial', 'operator', 'bs', 'cell', 'ue', 'epoch'],
    /** thpUlKbps (DRB.UEThpUl), prbUsedUl, sinrUlDb only when the agent reports the uplink. */
    fields: {
      thpDlKbps: 'float',
      prbUsedDl: 'float',
      cqi: 'float',
      sinrDb: 'float',
      rsrpDbm: 'float',
      thpUlKbps: 'float',
      prbUsedUl: 'float',
      sinrUlDb: 'float',
    },
  },
  ue_radio: {
    /** rat: `lte` or `nr`, one point per leg (EN-DC readings give both). */
    tags: ['rig', 'trial', 'operator', 'ue', 'rat'],
    fields: {
      rsrpDbm: 'float',
      rsrqDb: 'float',
      sinrDb: 'float',
      /** SINR as the modem printed it (LTE firmware disagree on its scale). */
      sinrRaw: 'float',
      cqi: 'float',
      /** `B3` for LTE band 3, `n78` for NR band n78 (harness/ue). */
      band: 'string',
      arfcn: 'float',
      pci: 'float',
    },
  },
  ue_event: {
    tags: ['rig', 'trial', 'operator', 'ue'],
    /** event: unplugged, replugged, reset, recovered, failed, unparsed (a reply line the driver could not use; detail: command and raw line) (harness/ue eventPoints). */
    fields: { event: 'string', detail: 'string' },
  },
  ue_traffic: {
    tags: ['rig', 'trial', 'operator', 'ue', 'direction'],
    fields: { throughputKbps: 'float', lostPercent: 'float' },
  },
  offload_request: {
    /** One point per inference request, at its scheduled time; condition: the policy run (e.g. planner, all-edge). */
    tags: ['rig', 'trial', 'ue', 'edge', 'condition', 'policy'],
    /** Stages in ms: head queue and compute on the UE, uplink, edge queue and compute, downlink, end to end (from the scheduled time). */
    fields: {
      index: 'integer',
      split: 'integer',
      headQueueMs: 'float',
      headMs: 'float',
      uplinkMs: 'float',
      edgeQueueMs: 'float',
      edgeComputeMs: 'float',
      downlinkMs: 'float',
      e2eMs: 'float',
      /** Error bound of the cross-host stages (uplink, downlink), from the clock exchange. */
      clockErrMs: 'float',
      bytesUp: 'float',
      ulKbps: 'float',
    },
  },
  offload_decision: {
    tags: ['rig', 'trial', 'ue', 'edge', 'condition', 'policy'],
    fields: { split: 'integer', predictedMs: 'float', ulKbps: 'float', dlKbps: 'float', meetsTarget: 'boolean' },
  },
  gpu: {
    tags: ['rig', 'trial', 'host', 'gpu'],
    fields: {
      utilGpuPct: 'float',
      utilMemPct: 'float',
      memUsedBytes: 'float',
      memTotalBytes: 'float',
      temperatureC: 'float',
      powerW: 'float',
      smClockMHz: 'float',
      memClockMHz: 'float',
    },
  },
} as const satisfies Record<string, MeasurementSchema>;

export type MeasurementName = keyof typeof MEASUREMENTS;

/** Integer-typed fields per measurement, as InfluxSink's `integerFields` option takes them. */
export function integerFieldsOf(schemas: Record<string, MeasurementSchema>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, s] of Object.entries(schemas)) {
    const ints = Object.entries(s.fields)
      .filter(([, k]) => k === 'integer')
      .map(([f]) => f);
    if (ints.length > 0) out[name] = ints;
  }
  return out;
}

/** The integer fields of ranlab's own schema (InfluxSink's default). */
export const RANLAB_INTEGER_FIELDS: Readonly<Record<string, readonly string[]>> = integerFieldsOf(MEASUREMENTS);
