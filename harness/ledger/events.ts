// Reading a transaction's receipt for the contract's own events: the grants of a decision and
// what a settlement moved. Malformed events are ComponentErrors naming the transaction.
import { parseEventLogs, type Address, type TransactionReceipt } from 'viem';
import { ComponentError } from '../errors.js';
import { spectrumLedgerAbi } from './abi.js';
import type { Grant, Settlement } from './types.js';

const COMPONENT = 'ledger';

/** The grants of one decision, as its Granted (and LockedOut) events state them, by operator name. */
export function grantsOf(
  receipt: TransactionReceipt,
  contract: Address,
  epoch: bigint,
  bandUnits: bigint,
  byAddress: ReadonlyMap<string, string>,
  operatorNames: readonly string[],
): Map<string, Grant> {
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === contract.toLowerCase());
  const events = parseEventLogs({ abi: spectrumLedgerAbi, logs, eventName: ['Granted', 'Decided', 'LockedOut'] });
  const grants = new Map<string, Grant>();
  let decidedTotal: bigint | undefined;
  const bad = (why: string) => new ComponentError(COMPONENT, `decision for epoch ${epoch} (tx ${receipt.transactionHash}) is malformed: ${why}`, 'LEDGER_BAD_ANSWER');
  for (const ev of events) {
    if (ev.args.epoch !== epoch) throw bad(`event for epoch ${ev.args.epoch}`);
    if (ev.eventName === 'Decided') {
      decidedTotal = ev.args.totalUnits;
      continue;
    }
    const name = byAddress.get(ev.args.operator.toLowerCase());
    if (name === undefined) continue;
    if (ev.eventName === 'LockedOut') {
      const g = grants.get(name);
      if (g) g.lockedOutUntil = Number(ev.args.untilEpoch);
      continue;
    }
    if (ev.args.startUnit + ev.args.units > bandUnits) throw bad(`segment of ${name} ends past the band (${bandUnits})`);
    grants.set(name, { startUnit: Number(ev.args.startUnit), units: Number(ev.args.units), escrowMicro: ev.args.escrow });
  }
  if (decidedTotal === undefined) throw bad('no Decided event');
  for (const name of operatorNames) if (!grants.has(name)) throw bad(`no grant event for ${name}`);
  return grants;
}

/** What one settlement moved, from its Settled event. */
export function settlementOf(receipt: TransactionReceipt, contract: Address, e: bigint, address: Address, name: string): Settlement {
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === contract.toLowerCase());
  const ev = parseEventLogs({ abi: spectrumLedgerAbi, logs, eventName: 'Settled' }).find((x) => x.args.epoch === e && x.args.operator.toLowerCase() === address.toLowerCase());
  if (!ev) throw new ComponentError(COMPONENT, `settlement of ${name} for epoch ${e} (tx ${receipt.transactionHash}) has no Settled event`, 'LEDGER_BAD_ANSWER');
  const a = ev.args;
  return { usedUnits: Number(a.usedUnits), spentMicro: a.spent, holdingMicro: a.holding, refundMicro: a.refund, overdue: a.overdue };
}
