// A measurement point as every part of ranlab produces it, and the sink they give it to
// (OpenTAP's result-listener idea: every result goes to the sink as it is produced).

export type TagSet = Record<string, string>;
export type FieldSet = Record<string, number | boolean | string>;

export interface Point {
  /** InfluxDB measurement name (see README: the InfluxDB schema). */
  measurement: string;
  /** Always includes `rig` and `trial`; plus operator, bs, cell, ue, host, gpu where they apply. */
  tags: TagSet;
  fields: FieldSet;
  /** Nanoseconds since the Unix epoch, from this host's clock. */
  timestampNs: bigint;
}

export interface MeasurementSink {
  /** Accept points; once accepted they are never lost (written, or spooled to disk until they can be). */
  write(points: Point[]): void;
  /** Resolves when every accepted point is in the database (or rejects, leaving them spooled). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Wall-clock now in nanoseconds (ms resolution from Date, sub-ms from hrtime). */
const base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export function nowNs(): bigint {
  return base + process.hrtime.bigint();
}
