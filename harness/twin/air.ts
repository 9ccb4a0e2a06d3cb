// The twin's shared radio medium ("the air"): a folder where every twin transmitter writes
// what it currently occupies, and every twin receiver reads the others. Files are replaced
// atomically (write + rename), so a reader never sees half a file.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one twin cell is transmitting now, in absolute frequency. */
export interface AirTransmission {
  cellId: string;
  operator: string;
  on: boolean;
  /** Occupied frequency range of the allocated PRBs, MHz. */
  lowMHz: number;
  highMHz: number;
  /** Transmit power spectral density, dBm per 180 kHz resource block. */
  psdDbmPerPrb: number;
  updatedNs: string;
}

/** What one twin UE measures now; written by its serving twin base station, read by its twin modem. */
export interface AirUeReading {
  ueId: string;
  cellId: string;
  operator: string;
  /** The serving cell's PLMN (MCC + MNC), when its operator has one: a modem in manual selection camps only on its own. */
  plmn?: string;
  rat: 'NR' | 'LTE';
  band: string;
  pci: number;
  arfcn: number;
  bandwidthMHz: number;
  scsKHz: number;
  /** False when the serving cell is off: the modem loses service. */
  inService: boolean;
  rsrpDbm: number;
  rsrqDb: number;
  sinrDb: number;
  cqi: number;
  /** Downlink throughput under saturated demand, kbit/s. */
  throughputKbps: number;
  /** Uplink throughput under saturated demand, kbit/s (absent from agents before the uplink model). */
  ulThroughputKbps?: number;
  /** Uplink SINR at the base station, dB. */
  ulSinrDb?: number;
  /** The UE's PUSCH transmit power while scheduled, dBm (what a modem reports as tx power). */
  txPowerDbm?: number;
  updatedNs: string;
}

function writeAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

function readAll<T>(dir: string): T[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, n), 'utf8')) as T);
    } catch {
      // a file replaced between readdir and read: skip it this time
    }
  }
  return out;
}

export class Air {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'tx'), { recursive: true });
    mkdirSync(join(dir, 'ue'), { recursive: true });
  }
  publishTransmission(t: AirTransmission): void {
    writeAtomic(join(this.dir, 'tx', `${t.cellId}.json`), t);
  }
  transmissions(): AirTransmission[] {
    return readAll<AirTransmission>(join(this.dir, 'tx'));
  }
  publishUe(r: AirUeReading): void {
    writeAtomic(join(this.dir, 'ue', `${r.ueId}.json`), r);
  }
  ueReading(ueId: string): AirUeReading | null {
    try {
      return JSON.parse(readFileSync(join(this.dir, 'ue', `${ueId}.json`), 'utf8')) as AirUeReading;
    } catch {
      return null;
    }
  }
}
