// The twin's shared radio medium ("the air"): a folder where every twin transmitter writes
// what it currently occupies, and every twin receiver reads the others. Files are replaced
// atomically (write + rename), so a reader never sees half a file. Each write has its own
// temporary name, so a synchronous write and an asynchronous one never share a file.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
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

let tmpSeq = 0;
const tmpOf = (path: string) => `${path}.${process.pid}.${tmpSeq++}.tmp`;

function writeAtomic(path: string, value: unknown): void {
  const tmp = tmpOf(path);
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

async function writeAtomicAsync(path: string, value: unknown): Promise<void> {
  const tmp = tmpOf(path);
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
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
  /** As publishTransmission, without blocking the caller (see AirWriter for ordering). */
  publishTransmissionAsync(t: AirTransmission): Promise<void> {
    return writeAtomicAsync(join(this.dir, 'tx', `${t.cellId}.json`), t);
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
