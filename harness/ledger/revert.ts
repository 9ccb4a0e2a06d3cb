// Reading viem errors: the short message with its root cause, and a contract revert decoded as
// `Name(arg=value, ...)` against the ledger's ABIs.
import { BaseError, decodeErrorResult, isAddress, type Abi, type Hex } from 'viem';
import { messageOf } from '../errors.js';

/** viem's short message, with the root cause (e.g. `connect ECONNREFUSED 127.0.0.1:8545`) when there is one. */
export function shortOf(err: unknown): string {
  const head = err instanceof BaseError ? err.shortMessage : messageOf(err);
  let root: unknown = err;
  for (let depth = 0; depth < 12; depth++) {
    const next = (root as { cause?: unknown } | undefined)?.cause;
    if (!next) break;
    root = next;
  }
  if (root === err || !(root instanceof Error) || root instanceof BaseError) return head;
  const detail = root.message.split('\n')[0].slice(0, 200);
  return detail && !head.includes(detail) ? `${head} (${detail})` : head;
}

/** The revert data (selector + arguments) somewhere in a viem error's cause chain, if any. */
export function revertDataOf(err: unknown): Hex | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 12; depth++) {
    const d = (e as { data?: unknown }).data;
    if (typeof d === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(d)) return d as Hex;
    if (d && typeof d === 'object') {
      const inner = (d as { data?: unknown }).data;
      if (typeof inner === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(inner)) return inner as Hex;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isRevert(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 12; depth++) {
    const name = (e as { name?: unknown }).name;
    const msg = String((e as { message?: unknown }).message ?? '');
    if (name === 'ExecutionRevertedError' || name === 'ContractFunctionRevertedError' || /revert/i.test(msg)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The custom error's name, when the revert data decodes against `abi`. */
export function revertNameOf(err: unknown, abi: Abi): string | undefined {
  const data = revertDataOf(err);
  if (!data) return undefined;
  try {
    return decodeErrorResult({ abi, data }).errorName;
  } catch {
    return undefined;
  }
}

/** A contract error as `Name(arg=value, ...)`; addresses are shown with `label(address)`. */
export function describeRevert(err: unknown, abi: Abi, label: (address: string) => string): string {
  const data = revertDataOf(err);
  if (!data) return shortOf(err);
  try {
    const d = decodeErrorResult({ abi, data });
    const item = abi.find((x) => x.type === 'error' && x.name === d.errorName);
    const names = item && 'inputs' in item ? (item.inputs as readonly { name?: string }[]).map((i) => i.name ?? '') : [];
    const args = (d.args ?? []).map((v, i) => {
      const s = typeof v === 'string' && isAddress(v) ? `${v} (${label(v)})` : String(v);
      return names[i] ? `${names[i]}=${s}` : s;
    });
    return `${d.errorName}(${args.join(', ')})`;
  } catch {
    try {
      const d = decodeErrorResult({ data }); // Error(string) and Panic(uint256)
      return `${d.errorName}(${(d.args ?? []).map(String).join(', ')})`;
    } catch {
      return `unknown error data ${data.slice(0, 74)}`;
    }
  }
}
