// Gas per call as a formula in the operator count n, instead of a per-call estimate (a round trip)
// or one constant (wrong past a dozen operators: decide is O(n^2)). The coefficients come from
// gas measured on the dev chain at 2, 8 and 64 operators (test/ledger.gas.test.ts prints those
// figures and checks that every call stays under its limit across n), with a margin on top.
export type LedgerCall = 'request' | 'decide' | 'settle' | 'settleOverdue' | 'approve' | MarketCall | ComputeCall;
/** UeMarket's calls (award loops over the operators). */
export type MarketCall = 'post' | 'offer' | 'award' | 'pay';
/** ComputeMarket's calls (contracts/ComputeMarket.sol), signed by operators' accounts. */
export type ComputeCall = 'computeRegister' | 'computeOpen' | 'computeSettle';

// Measured (test/ledger.gas.test.ts, most per call over saturated and partial-use epochs):
//   n=2: request 97,476  decide 180,229    settle 85,591   settleOverdue 72,570
//   n=8: request 97,476  decide 484,033    settle 153,019  settleOverdue 139,938
//  n=64: request 97,476  decide 3,655,095  settle 781,957  settleOverdue 769,296
// decide fits 80k + 49.7k n + 97 n^2 (water-filling is O(n^2) in its worst rounds); the limits
// below add about 30 % and a steeper n^2 term for unequal balances that need more rounds.
const FORMULA: Record<LedgerCall, { base: number; perOp: number; perOp2: number }> = {
  request: { base: 130_000, perOp: 0, perOp2: 0 },
  decide: { base: 150_000, perOp: 70_000, perOp2: 600 },
  settle: { base: 100_000, perOp: 16_000, perOp2: 0 },
  settleOverdue: { base: 100_000, perOp: 16_000, perOp2: 0 },
  approve: { base: 70_000, perOp: 0, perOp2: 0 },
  // UeMarket: new storage slots (a request, an offer, a paid flag) and one token transfer.
  // Measured at n=2 (a twin-uemarket trial): post 94,714, offer 78,741, award 94,851, pay 76,453;
  // award reads three cold slots per operator (about 7k gas each operator).
  post: { base: 150_000, perOp: 0, perOp2: 0 },
  offer: { base: 130_000, perOp: 0, perOp2: 0 },
  award: { base: 110_000, perOp: 10_000, perOp2: 0 },
  pay: { base: 150_000, perOp: 0, perOp2: 0 },
  // ComputeMarket (no loop over operators): register writes a five-slot service (two short
  // strings), openSession a five-slot session and pulls the deposit, settle pays and refunds.
  computeRegister: { base: 250_000, perOp: 0, perOp2: 0 },
  computeOpen: { base: 250_000, perOp: 0, perOp2: 0 },
  computeSettle: { base: 150_000, perOp: 0, perOp2: 0 },
};

/** The gas limit sent with `call` on a contract of n operators. */
export function gasLimit(call: LedgerCall, n: number): bigint {
  const f = FORMULA[call];
  return BigInt(Math.ceil(f.base + f.perOp * n + f.perOp2 * n * n));
}
