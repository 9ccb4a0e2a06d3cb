// The sink's public option and result types (re-exported by harness/measure/index.ts).
import type { TagSet } from '../types.js';

export interface InfluxSinkOptions {
  /** http(s)://[user:password@]host:port of an InfluxDB 1.x server. */
  url: string;
  database: string;
  /** Where undeliverable points wait on disk, e.g. results/<trial>/spool. One sink per folder. */
  spoolDir: string;
  retentionPolicy?: string;
  /** Points per write request (InfluxDB's documented sweet spot is about 5,000). */
  batchSize?: number;
  /** Queued points are sent at least this often. */
  flushIntervalMs?: number;
  /** One write request may take this long before it counts as failed. */
  writeTimeoutMs?: number;
  /** Backoff between delivery attempts while the server is down. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * While the server is failing, more points than this waiting in memory go to the spool
   * instead. While it answers, a burst stays in memory up to 20 times this (bounds memory for
   * a server slower than the measurements for good).
   */
  maxPendingPoints?: number;
  /** Write requests at once (default 3). */
  maxInFlight?: number;
  /** Lines per spool segment file. */
  spoolSegmentLines?: number;
  /** Fields written as integers, per measurement (default: ranlab's schema). */
  integerFields?: Readonly<Record<string, readonly string[]>>;
  /** Tags put on every point (e.g. { rig, trial }); a point's own tag of the same key wins. */
  defaultTags?: TagSet;
}

export interface SinkStats {
  /** Points taken by write() since the sink opened. */
  accepted: number;
  /** Points confirmed written to the database (including spooled ones delivered later). */
  written: number;
  /** Points in memory, queued or in a request now. */
  pending: number;
  /** Points on disk in the spool, waiting for the server. */
  spooled: number;
  /** Points the server refused for good (HTTP 400), kept in <spoolDir>/rejected.lp. */
  rejected: number;
  /** Points write() refused (malformed, or written after close); never accepted. */
  refused: number;
  /** False from a failed write until a write succeeds again. */
  connected: boolean;
  lastError: string | null;
}

/** What closeBy() could not deliver: `spooled` points wait on disk, `lost` ones were only in memory. */
export interface CloseOutcome {
  written: number;
  spooled: number;
  lost: number;
  rejected: number;
  error: string | null;
  spoolDir: string;
}
