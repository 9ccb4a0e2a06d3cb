// What a spectrum trial writes to InfluxDB: every KPM indication (kpm_cell, kpm_ue), each
// epoch's figures per operator (epoch_operator) and for the band (epoch), and lab rigs' iperf3
// traffic (ue_traffic).
import type { Point } from '../measure/index.js';
import type { KpmIndication } from '../ran/index.js';
import { childLog } from '../log.js';
import { trafficPoints, type TrafficOutcome } from '../ue/index.js';
import type { RigSession } from './session.js';
import type { EpochRecord } from './spectrum-types.js';

const log = childLog('trial.spectrum');

export function epochPoints(rec: EpochRecord, tags: Record<string, string>): Point[] {
  const pts: Point[] = rec.operators.map((o) => ({
    measurement: 'epoch_operator',
    tags: { ...tags, operator: o.operator },
    timestampNs: rec.startNs,
    fields: {
      epoch: rec.epoch,
      demandUnits: o.demandUnits,
      grantUnits: o.grantUnits,
      grantMHz: o.grantMHz,
      useUnits: o.useUnits,
      usedUnits: o.usedUnits,
      throughputMbps: o.throughputMbps,
      ...(o.balanceTokens === null ? {} : { costTokens: o.costTokens, balanceTokens: o.balanceTokens }),
      ...(o.timeToEffectMs === undefined ? {} : { timeToEffectMs: o.timeToEffectMs, retuned: o.retuned ?? false }),
    },
  }));
  pts.push({
    measurement: 'epoch',
    tags,
    timestampNs: rec.startNs,
    fields: { epoch: rec.epoch, jain: rec.jain, totalGrantMHz: rec.operators.reduce((a, o) => a + o.grantMHz, 0) },
  });
  return pts;
}

/** The fields that have a value (an agent that does not measure the uplink leaves it undefined). */
function reported(fields: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

export function kpmPoints(ind: KpmIndication, tags: Record<string, string>): Point[] {
  const cellTags = { ...tags, cell: ind.cellId };
  return [
    {
      measurement: 'kpm_cell',
      tags: cellTags,
      timestampNs: ind.timestampNs,
      fields: {
        prbAvailDl: ind.prbAvailDl,
        prbTotDlPct: ind.prbTotDlPct,
        thpDlKbps: ind.thpDlKbps,
        // PRB use and the uplink: left out of the point when the agent does not report them.
        ...reported({ prbUsedDl: ind.prbUsedDl, prbAvailUl: ind.prbAvailUl, prbUsedUl: ind.prbUsedUl, prbTotUlPct: ind.prbTotUlPct, thpUlKbps: ind.thpUlKbps }),
      },
    },
    ...ind.ues.map((u) => ({
      measurement: 'kpm_ue',
      tags: { ...cellTags, ue: u.ueId },
      timestampNs: ind.timestampNs,
      fields: {
        thpDlKbps: u.thpDlKbps,
        ...reported({ prbUsedDl: u.prbUsedDl, cqi: u.cqi, sinrDb: u.sinrDb, rsrpDbm: u.rsrpDbm, thpUlKbps: u.thpUlKbps, prbUsedUl: u.prbUsedUl, sinrUlDb: u.sinrUlDb }),
      },
    })),
  ];
}

/** The epoch's iperf3 results as `ue_traffic` points; a UE whose test failed is logged, the others are kept. */
export function writeTraffic(session: RigSession, outcomes: TrafficOutcome[], epoch: number): void {
  for (const o of outcomes) {
    const ue = session.rig.ues.find((u) => u.id === o.ueId);
    if (o.result) session.write(trafficPoints(o.result, { ...session.baseTags(), operator: ue?.operator ?? '', ue: o.ueId, epoch: String(epoch) }));
    else log.warn({ ue: o.ueId, epoch, err: o.error }, 'no iperf3 traffic this epoch');
  }
}
