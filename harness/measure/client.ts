// Talking to an InfluxDB 1.x server: the raw line-protocol write the sink and its spool use,
// the reachability check run at bring-up, and queries (through the `influx` npm client).
//
// Writes do not go through the client's writePoints: the spool replays stored lines verbatim,
// which writePoints cannot send, and the client's pool retries and disables hosts on its own
// schedule, which would fight the sink's own retry and spool.
import { InfluxDB } from 'influx';
import { ComponentError } from '../errors.js';
import { influxRequest, type HttpAnswer } from './http.js';

/** An InfluxDB URL split into what requests need; credentials never appear in `shown`. */
export interface InfluxTarget {
  /** Base URL without credentials and without a trailing slash. */
  base: string;
  /** The URL as messages and logs show it (no credentials). */
  shown: string;
  authorization?: string;
  username?: string;
  password?: string;
  url: URL;
}

export function parseInfluxUrl(url: string): InfluxTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ComponentError('influx', `not a URL: ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//'))}`, 'INFLUX_BAD_URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ComponentError('influx', `URL must be http:// or https://, got ${u.protocol}`, 'INFLUX_BAD_URL');
  }
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  const base = u.toString().replace(/\/+$/, '');
  return {
    base,
    shown: base,
    url: u,
    username,
    password,
    authorization: username !== undefined ? 'Basic ' + Buffer.from(`${username}:${password ?? ''}`).toString('base64') : undefined,
  };
}

/** Why a request failed, in words: "ECONNREFUSED 127.0.0.1:1", "timed out after 3000 ms", ... */
export function describeFetchError(err: unknown, timeoutMs?: number): string {
  const e = err as { name?: string; message?: string; code?: string; errors?: unknown[]; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs ?? '?'} ms`;
  // Each address a name resolved to refused (node:http's AggregateError has no message of its own).
  if (!e?.message && Array.isArray(e?.errors) && e.errors.length > 0) return e.errors.map((x) => describeFetchError(x, timeoutMs)).join('; ');
  if (!e?.message && e?.code) return e.code;
  const cause = e?.cause;
  if (cause?.code) return cause.message?.includes(cause.code) ? cause.message : `${cause.code}${cause.message ? ' ' + cause.message : ''}`;
  if (cause?.message) return cause.message;
  return e?.message ?? String(err);
}

export type WriteOutcome =
  | { kind: 'ok' }
  /** The server refused points for good: HTTP 400 (malformed, field type conflict), or 413 for one line. */
  | { kind: 'rejected'; status: number; message: string; dropped: number }
  /** Too big a body (HTTP 413): send fewer lines at once. */
  | { kind: 'tooLarge'; message: string }
  /** Not written now, worth retrying: no connection, timeout, 5xx, missing database, auth. */
  | { kind: 'failed'; message: string };

/** POST lines of line protocol to /write (precision n). Never throws. */
export async function writeLines(
  target: InfluxTarget,
  database: string,
  lines: readonly string[],
  opts: { timeoutMs: number; retentionPolicy?: string },
): Promise<WriteOutcome> {
  const q = new URLSearchParams({ db: database, precision: 'n' });
  if (opts.retentionPolicy) q.set('rp', opts.retentionPolicy);
  let res: HttpAnswer;
  try {
    res = await influxRequest(target, 'POST', `/write?${q}`, { timeoutMs: opts.timeoutMs, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: lines.join('\n') });
  } catch (err) {
    return { kind: 'failed', message: describeFetchError(err, opts.timeoutMs) };
  }
  if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
  const message = `HTTP ${res.status}: ${serverError(res.body) ?? res.statusText}`;
  if (res.status === 400) {
    const dropped = Number(/dropped=(\d+)/.exec(message)?.[1] ?? 0) + (message.match(/unable to parse/g)?.length ?? 0);
    return { kind: 'rejected', status: 400, message, dropped: dropped > 0 ? Math.min(dropped, lines.length) : lines.length };
  }
  if (res.status === 413) {
    // One line alone too big can never be written: refuse it rather than retry forever.
    return lines.length > 1 ? { kind: 'tooLarge', message } : { kind: 'rejected', status: 413, message, dropped: 1 };
  }
  return { kind: 'failed', message };
}

function serverError(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: unknown };
    if (typeof j.error === 'string') return j.error;
  } catch {
    /* not JSON */
  }
  return body.trim() ? body.trim().slice(0, 300) : undefined;
}

/** GET /ping; resolves true on 204, false otherwise or on any error within timeoutMs. */
export async function pingInflux(url: string | InfluxTarget, timeoutMs = 1000): Promise<boolean> {
  const target = typeof url === 'string' ? parseInfluxUrl(url) : url;
  try {
    const res = await influxRequest(target, 'GET', '/ping', { timeoutMs });
    return res.status === 204 || res.status === 200;
  } catch {
    return false;
  }
}

/** The `influx` npm client for one server: no retries and no host disabling of its own. */
export function influxClient(target: InfluxTarget, database?: string, requestTimeoutMs = 10_000): InfluxDB {
  const u = target.url;
  const noBackoff = {
    getDelay: () => 0,
    next() {
      return noBackoff;
    },
    reset() {
      return noBackoff;
    },
  };
  return new InfluxDB({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    path: u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, ''),
    username: target.username,
    password: target.password,
    database,
    pool: { maxRetries: 0, requestTimeout: requestTimeoutMs, backoff: noBackoff },
  });
}

/**
 * Bring-up check, before any control is sent: the server answers /ping and the database
 * exists. Fails within about timeoutMs with ComponentError('influx', 'unreachable at <url>: <reason>').
 */
export async function checkInfluxReachable(url: string | InfluxTarget, database: string, timeoutMs = 3000): Promise<void> {
  const target = typeof url === 'string' ? parseInfluxUrl(url) : url;
  const started = Date.now();
  let res: HttpAnswer;
  try {
    res = await influxRequest(target, 'GET', '/ping', { timeoutMs });
  } catch (err) {
    throw new ComponentError('influx', `unreachable at ${target.shown}: ${describeFetchError(err, timeoutMs)}`, 'INFLUX_UNREACHABLE', { cause: err });
  }
  if (res.status !== 204 && res.status !== 200) {
    throw new ComponentError('influx', `unreachable at ${target.shown}: /ping answered HTTP ${res.status} (is this an InfluxDB 1.x server?)`, 'INFLUX_UNREACHABLE');
  }
  const version = String(res.headers['x-influxdb-version'] ?? '');
  if (version && !/^1\./.test(version)) {
    throw new ComponentError('influx', `server at ${target.shown} is InfluxDB ${version}; ranlab writes to InfluxDB 1.x`, 'INFLUX_UNSUPPORTED');
  }
  const left = Math.max(500, timeoutMs - (Date.now() - started));
  let names: string[];
  try {
    names = await influxClient(target, undefined, left).getDatabaseNames();
  } catch (err) {
    const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
    if (status === 401 || status === 403) {
      throw new ComponentError('influx', `${target.shown} refused the credentials (HTTP ${status}); check the user and password in the influx URL`, 'INFLUX_AUTH', {
        cause: err,
      });
    }
    throw new ComponentError('influx', `unreachable at ${target.shown}: SHOW DATABASES failed: ${describeFetchError(err, left)}`, 'INFLUX_UNREACHABLE', {
      cause: err,
    });
  }
  if (!names.includes(database)) {
    throw new ComponentError(
      'influx',
      `database "${database}" does not exist at ${target.shown} (have: ${names.join(', ') || 'none'}); create it with CREATE DATABASE "${database}"`,
      'INFLUX_NO_DATABASE',
    );
  }
}

/** Create a database if it does not exist (CREATE DATABASE is idempotent in 1.x). */
export async function createInfluxDatabase(url: string, database: string, timeoutMs = 10_000): Promise<void> {
  const target = parseInfluxUrl(url);
  try {
    await influxClient(target, undefined, timeoutMs).createDatabase(database);
  } catch (err) {
    throw new ComponentError('influx', `cannot create database "${database}" at ${target.shown}: ${describeFetchError(err, timeoutMs)}`, 'INFLUX_FAILED', {
      cause: err,
    });
  }
}

/**
 * One row of a query result: the series' tags and the row's columns, with `time` as
 * nanoseconds since the epoch (bigint, exact) when the query returns a time column.
 */
export type InfluxRow = Record<string, unknown> & { time?: bigint };

interface RawSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

/**
 * Run InfluxQL against a database and return its rows (every series of every statement,
 * in order). Times come back exact to the nanosecond.
 */
export async function queryInflux(url: string, database: string, influxql: string, timeoutMs = 10_000): Promise<InfluxRow[]> {
  const target = parseInfluxUrl(url);
  let raw: { results?: { error?: string; series?: RawSeries[] }[]; error?: string };
  try {
    // No epoch parameter: times come back as RFC3339 strings with all nine digits, which
    // survive JSON; epoch=ns numbers would be rounded to a double.
    raw = await influxClient(target, database, timeoutMs).queryRaw(influxql, { database });
  } catch (err) {
    throw new ComponentError('influx', `query failed at ${target.shown}: ${describeFetchError(err, timeoutMs)}`, 'INFLUX_QUERY_FAILED', { cause: err });
  }
  if (raw.error) throw new ComponentError('influx', `query failed: ${raw.error}`, 'INFLUX_QUERY_FAILED');
  const rows: InfluxRow[] = [];
  for (const result of raw.results ?? []) {
    if (result.error) throw new ComponentError('influx', `query failed: ${result.error}`, 'INFLUX_QUERY_FAILED');
    for (const s of result.series ?? []) {
      for (const values of s.values ?? []) {
        const row: InfluxRow = { ...(s.tags ?? {}) };
        s.columns.forEach((c, i) => {
          const v = values[i];
          row[c] = c === 'time' && typeof v === 'string' ? BigInt(rfc3339ToNs(v)) : v;
        });
        rows.push(row);
      }
    }
  }
  return rows;
}

/** "2026-11-21T10:00:00.123456789Z" -> "1795255200123456789" (exact). */
export function rfc3339ToNs(s: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) throw new ComponentError('influx', `unexpected time format from the server: ${s}`, 'INFLUX_QUERY_FAILED');
  const ms = Date.parse(m[1] + 'Z');
  const frac = (m[2] ?? '').padEnd(9, '0');
  return (BigInt(ms) * 1_000_000n + BigInt(frac)).toString();
}
