// InfluxSinkOptions checked and completed with their defaults, once, at construction.
import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import { parseInfluxUrl, type InfluxTarget } from '../client.js';
import { RANLAB_INTEGER_FIELDS } from '../schema.js';
import type { TagSet } from '../types.js';
import type { InfluxSinkOptions } from './types.js';

export interface SinkSettings {
  target: InfluxTarget;
  /** The server as shown in messages (no password). */
  url: string;
  database: string;
  retentionPolicy?: string;
  batchSize: number;
  flushIntervalMs: number;
  writeTimeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  maxPending: number;
  maxInFlight: number;
  spoolPath: string;
  spoolSegmentLines: number;
  integerFields: Readonly<Record<string, readonly string[]>>;
  defaultTags?: TagSet;
}

const POSITIVE = ['batchSize', 'flushIntervalMs', 'writeTimeoutMs', 'retryMinMs', 'retryMaxMs', 'maxPendingPoints', 'spoolSegmentLines', 'maxInFlight'] as const;

/** Throws ConfigError naming the first bad option. */
export function sinkSettings(opts: InfluxSinkOptions): SinkSettings {
  for (const name of POSITIVE) {
    const v = opts[name];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
      throw new ConfigError(`InfluxSink option ${name} must be a positive number, got ${String(v)}`);
    }
  }
  if (!opts.database) throw new ConfigError('InfluxSink needs a database name');
  if (!opts.spoolDir) throw new ConfigError('InfluxSink needs a spool folder');
  const target = parseInfluxUrl(opts.url);
  const batchSize = Math.floor(opts.batchSize ?? 5000);
  return {
    target,
    url: target.shown,
    database: opts.database,
    retentionPolicy: opts.retentionPolicy,
    batchSize,
    flushIntervalMs: opts.flushIntervalMs ?? 1000,
    writeTimeoutMs: opts.writeTimeoutMs ?? 10_000,
    retryMinMs: opts.retryMinMs ?? 500,
    retryMaxMs: opts.retryMaxMs ?? 5000,
    maxPending: opts.maxPendingPoints ?? 20 * batchSize,
    maxInFlight: Math.floor(opts.maxInFlight ?? 3),
    spoolPath: resolve(opts.spoolDir),
    spoolSegmentLines: opts.spoolSegmentLines ?? Math.max(50_000, batchSize),
    integerFields: opts.integerFields ?? RANLAB_INTEGER_FIELDS,
    defaultTags: opts.defaultTags,
  };
}
