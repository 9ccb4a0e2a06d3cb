// Checking what callers hand the ledger client: integers for uint256, operator lists, key sources.
import type { Hex } from 'viem';
import { ConfigError } from '../errors.js';
import { loadOperatorKey, normalizePrivateKey, type KeySourceOptions } from './keys.js';
import type { OperatorKey } from './types.js';

export type IntLike = number | bigint;
const UINT256_LIMIT = 1n << 256n;

export function uint(value: IntLike, what: string): bigint {
  const ok = typeof value === 'bigint' ? value >= 0n && value < UINT256_LIMIT : Number.isSafeInteger(value) && value >= 0;
  if (!ok) throw new ConfigError(`ledger: ${what} must be a non-negative integer, got ${value}`, 'LEDGER_BAD_ARGUMENT');
  return BigInt(value);
}

export function checkOperatorNames(names: string[]): void {
  if (names.length < 2) throw new ConfigError(`ledger: at least 2 operators share the band, got ${names.length}`, 'LEDGER_BAD_ARGUMENT');
  const seen = new Set<string>();
  for (const n of names) {
    if (!n) throw new ConfigError('ledger: an operator has an empty name', 'LEDGER_BAD_ARGUMENT');
    if (seen.has(n)) throw new ConfigError(`ledger: operator ${n} is listed twice`, 'LEDGER_BAD_ARGUMENT');
    seen.add(n);
  }
}

export function resolveKeys(operators: OperatorKey[], sources?: KeySourceOptions): { name: string; privateKey: Hex }[] {
  return operators.map((o) =>
    'privateKey' in o
      ? { name: o.name, privateKey: normalizePrivateKey(o.privateKey, `operator ${o.name}: the given private key`) }
      : { name: o.name, privateKey: loadOperatorKey(o.name, o.account, sources) },
  );
}

/** Like Promise.all, but waits for every promise (no transaction left in flight unobserved). */
export async function settleAllOrThrow<T>(ps: Promise<T>[]): Promise<T[]> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<T>).value);
}
