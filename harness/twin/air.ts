// The twin's shared radio medium ("the air"): a folder where every twin transmitter writes
// what it currently occupies, and every twin receiver reads the others. Files are replaced
// atomically (write + rename), so a reader never sees half a file. Each write has its own
// temporary name.
//
// Transmissions (on every control) and UE readings (every KPM period) change often, so their
// files are rewritten in place instead: one write of a whole record at offset 0 of a file kept
// open (padded with spaces to the longest record so far, which JSON ignores). The record
// carries a hash of itself (`airCheck`), so a reader that catches a write half done sees a
// mismatch: a transmission is skipped this time, as any file it cannot read; a UE reading is
// read again (a rename per reading costs milliseconds on some filesystems; a write, microseconds).
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
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
  /**
   * When the state above took effect (ns, the node's clock), and what was on the air before:
   * a receiver sampling a moment before `sinceNs` uses `before`, so a KPM period is figured
   * against what the other cells transmitted then, however late it is evaluated.
   */
  sinceNs?: string;
  before?: { on: boolean; lowMHz: number; highMHz: number };
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

/** FNV-1a over the UTF-16 code units: cheap, and enough to catch a torn record. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The JSON of `value` with its own hash as a last member, `airCheck`. */
function checkedRecord(value: object): string {
  const body = JSON.stringify(value);
  return body === '{}' ? `{"airCheck":${hashOf(body)}}` : `${body.slice(0, -1)},"airCheck":${hashOf(body)}}`;
}

/** The record without `airCheck`, or null when its hash does not match (a torn read). */
function verified<T>(text: string): T | null {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (!('airCheck' in parsed)) return parsed as T;
  const { airCheck, ...rest } = parsed;
  return hashOf(JSON.stringify(rest)) === airCheck ? (rest as T) : null;
}

interface Slot {
  fd: number;
  /** Bytes written at every update (the longest record so far, rounded up). */
  size: number;
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
      const v = verified<T>(readFileSync(join(dir, n), 'utf8'));
      if (v !== null) out.push(v);
    } catch {
      // a file replaced between readdir and read: skip it this time
    }
  }
  return out;
}

export class Air {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'tx'), { recursive: true });
    mkdirSync(join(dir, 'ue'), { recursive: true });
  }
  /** One write in place (see the top of this file). */
  publishTransmission(t: AirTransmission): void {
    this.writeSlot(join('tx', `${t.cellId}.json`), t);
  }

  private writeSlot(file: string, value: object): void {
    let slot = this.slots.get(file);
    if (!slot) {
      // An earlier writer's file (a restarted node) is overwritten in place, never truncated
      // (a reader would see it empty), and padded over to its full length.
      let fd: number;
      try {
        fd = openSync(join(this.dir, file), 'r+');
      } catch {
        fd = openSync(join(this.dir, file), 'w');
      }
      slot = { fd, size: fstatSync(fd).size };
      this.slots.set(file, slot);
    }
    const record = Buffer.from(checkedRecord(value));
    if (record.length > slot.size) slot.size = Math.ceil((record.length + 1) / 256) * 256;
    const out = Buffer.alloc(slot.size, 0x20);
    record.copy(out);
    writeSync(slot.fd, out, 0, out.length, 0);
  }
  /** Close the transmission files (their last records stay). */
  close(): void {
    for (const s of this.slots.values()) closeSync(s.fd);
    this.slots.clear();
  }
  transmissions(): AirTransmission[] {
    return readAll<AirTransmission>(join(this.dir, 'tx'));
  }
  publishUe(r: AirUeReading): void {
    this.writeSlot(join('ue', `${r.ueId}.json`), r);
  }
  /** The UE's reading; a read that caught a write half done is made again (a few times). */
  ueReading(ueId: string): AirUeReading | null {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const r = verified<AirUeReading>(readFileSync(join(this.dir, 'ue', `${ueId}.json`), 'utf8'));
        if (r !== null) return r;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        // torn (unparseable) or truncated by a new writer: read again
      }
    }
    return null;
  }
}
