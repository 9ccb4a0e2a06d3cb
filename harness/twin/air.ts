// The twin's shared radio medium ("the air"): a folder where every twin transmitter writes
// what it currently occupies, and every twin receiver reads the others. Files are replaced
// atomically (write + rename), so a reader never sees half a file. Each write has its own
// temporary name.
//
// Transmissions (on every control) and UE readings (every KPM period) change often, so their
// files are rewritten in place instead: the whole record at offset 0 of a file kept open
// (padded with spaces to the longest record so far, which JSON ignores). After its first few
// writes the file is mapped into memory, shared (native/shared-map.ts), so a rewrite is a
// memory copy that every reader's read() sees at once, with no system call; before, or where
// mapping is unavailable, one pwrite. The record carries a hash of itself (`airCheck`), so a
// reader that catches a write half done sees a mismatch: a transmission is skipped this time,
// like a file it cannot read; a UE reading is read again (a rename per reading costs
// milliseconds on some filesystems).
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { mapShared } from '../../native/shared-map.js';

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

/** Bytes of a mapped air file: room for every record whose ids are of the longest allowed length. */
const SLOT_BYTES = 1024;

interface Slot {
  fd: number;
  /** The file's bytes: the record, then spaces. Mapped: the file itself; else written whole with pwrite. */
  buf: Buffer;
  mapped: boolean;
  /** Length of the record now in `buf` (bytes after it are spaces). */
  used: number;
  /**
   * Writes left before the file is mapped (-1: never): the first few are a node starting and
   * switching its cells on, which then does without loading the FFI library; what is written
   * more often than that (controls, readings) is written through the mapping.
   */
  writesBeforeMap: number;
}

const WRITES_BEFORE_MAP = 8;

/** Write `slot` through a shared mapping of its file from now on, where mapping is available. */
function mapSlot(slot: Slot): void {
  // A record longer than a mapped file went to a bigger buffer: that file stays with pwrite.
  if (slot.buf.length !== SLOT_BYTES) return;
  const map = mapShared(slot.fd, SLOT_BYTES);
  if (!map) return;
  slot.buf = map;
  slot.mapped = true;
  // Spaces over whatever the file holds after the next record.
  slot.used = SLOT_BYTES;
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
    if (!slot) slot = this.openSlot(file);
    if (slot.writesBeforeMap >= 0 && slot.writesBeforeMap-- === 0) mapSlot(slot);
    const record = checkedRecord(value);
    const length = Buffer.byteLength(record);
    if (length >= slot.buf.length) {
      // Longer than the file (ids far beyond the usual): written with pwrite from now on.
      slot.buf = Buffer.alloc(Math.ceil((length + 1) / 256) * 256, 0x20);
      slot.mapped = false;
      slot.used = 0;
    }
    slot.buf.write(record, 0);
    if (length < slot.used) slot.buf.fill(0x20, length, slot.used);
    slot.used = length;
    if (!slot.mapped) writeSync(slot.fd, slot.buf, 0, slot.buf.length, 0);
  }

  private openSlot(file: string): Slot {
    // An earlier writer's file (a restarted node) is overwritten in place and never truncated:
    // a reader would see it empty, and a process that has it mapped would crash writing past
    // its new end. Its bytes beyond our records are padded over with spaces.
    const fd = openSync(join(this.dir, file), constants.O_RDWR | constants.O_CREAT, 0o644);
    const size = fstatSync(fd).size;
    if (size < SLOT_BYTES) writeSync(fd, Buffer.alloc(SLOT_BYTES - size, 0x20), 0, SLOT_BYTES - size, size);
    const slot: Slot = { fd, buf: Buffer.alloc(Math.max(size, SLOT_BYTES), 0x20), mapped: false, used: size, writesBeforeMap: size <= SLOT_BYTES ? WRITES_BEFORE_MAP : -1 };
    this.slots.set(file, slot);
    return slot;
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
