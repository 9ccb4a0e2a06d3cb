// The digest that a settlement records on chain (seeds/001: the access record): SHA-256 over the
// KPM points an operator's use was computed from, in one canonical form, so that anyone holding
// the trial's points in InfluxDB can recompute it (`ranlab verify`).
//
// Canonical form: each point as one line of InfluxDB line protocol (harness/measure toLine: tags
// sorted by key, empty tags dropped, fields sorted by key, numbers as floats except the schema's
// integer fields, which end in `i`, nanosecond timestamp), the lines sorted (byte order) and
// joined by "\n", no trailing newline. Points: the operator's kpm_cell and kpm_ue points tagged
// with the epoch (the trial's epoch number) they were measured in.
import { createHash } from 'node:crypto';
import type { Hex } from 'viem';
import { MEASUREMENTS, RANLAB_INTEGER_FIELDS, toLine, type Point } from '../measure/index.js';

/** The measurements whose points a settlement's digest covers. */
export const DIGESTED = ['kpm_cell', 'kpm_ue'] as const;

export function canonicalLine(p: Point): string {
  return toLine(p, { integerFields: RANLAB_INTEGER_FIELDS });
}

export function measurementsDigest(points: Point[]): Hex {
  const lines = points.map(canonicalLine).sort();
  return `0x${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
}

/** A row read back from InfluxDB (SELECT *: tags and fields side by side, time as RFC3339 with 9 digits or as nanoseconds) as the Point it was written from. */
export function pointFromRow(measurement: (typeof DIGESTED)[number], row: Record<string, unknown>): Point {
  const schema = MEASUREMENTS[measurement];
  const tags: Record<string, string> = {};
  for (const key of schema.tags) if (typeof row[key] === 'string' && row[key] !== '') tags[key] = row[key] as string;
  const fields: Record<string, number> = {};
  for (const key of Object.keys(schema.fields)) if (typeof row[key] === 'number') fields[key] = row[key] as number;
  return { measurement, tags, fields, timestampNs: rfc3339ToNs(String(row.time)) };
}

/** 2026-11-29T09:43:20.123456789Z (or nanoseconds as digits) -> nanoseconds since the Unix epoch, exact. */
export function rfc3339ToNs(time: string): bigint {
  if (/^\d+$/.test(time)) return BigInt(time);
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(time);
  if (!m) throw new RangeError(`not an RFC3339 UTC time: ${time}`);
  const seconds = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  return seconds * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
