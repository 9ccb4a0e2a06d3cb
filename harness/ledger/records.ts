// The spectrum records a SpectrumLedger keeps (seeds/001): each decided epoch's allocation
// (Granted: every operator's segment of the band) and each settlement's measured use with the
// digest of the measurements behind it (Settled), read back from the chain's event log.
import { createPublicClient, type Address, type Hex } from 'viem';
import { spectrumLedgerAbi } from './abi.js';
import { transportOf, type ChainLink } from './link.js';

export interface GrantRecord {
  epoch: number;
  operator: Address;
  startUnit: number;
  units: number;
  escrowMicro: string;
  tx: Hex;
}

export interface SettlementRecord {
  epoch: number;
  operator: Address;
  usedUnits: number;
  /** SHA-256 of the operator's KPM points of the epoch (harness/trial/digest.ts). */
  measurements: Hex;
  spentMicro: string;
  holdingMicro: string;
  refundMicro: string;
  overdue: boolean;
  tx: Hex;
}

export interface LedgerRecords {
  contract: Address;
  grants: GrantRecord[];
  settlements: SettlementRecord[];
}

/** Every Granted and Settled event of the contract for epochs first..last (inclusive). */
export async function readLedgerRecords(link: ChainLink, contract: Address, first: number, last: number): Promise<LedgerRecords> {
  const pub = createPublicClient({ transport: transportOf(link, 15_000) });
  const inRange = (e: bigint) => e >= BigInt(first) && e <= BigInt(last);
  const [granted, settled] = await Promise.all([
    pub.getContractEvents({ address: contract, abi: spectrumLedgerAbi, eventName: 'Granted', fromBlock: 0n, toBlock: 'latest' }),
    pub.getContractEvents({ address: contract, abi: spectrumLedgerAbi, eventName: 'Settled', fromBlock: 0n, toBlock: 'latest' }),
  ]);
  return {
    contract,
    grants: granted
      .filter((l) => inRange(l.args.epoch!))
      .map((l) => ({
        epoch: Number(l.args.epoch),
        operator: l.args.operator!,
        startUnit: Number(l.args.startUnit),
        units: Number(l.args.units),
        escrowMicro: String(l.args.escrow),
        tx: l.transactionHash,
      })),
    settlements: settled
      .filter((l) => inRange(l.args.epoch!))
      .map((l) => ({
        epoch: Number(l.args.epoch),
        operator: l.args.operator!,
        usedUnits: Number(l.args.usedUnits),
        measurements: l.args.measurements!,
        spentMicro: String(l.args.spent),
        holdingMicro: String(l.args.holding),
        refundMicro: String(l.args.refund),
        overdue: l.args.overdue!,
        tx: l.transactionHash,
      })),
  };
}
