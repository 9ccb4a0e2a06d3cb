// Tests only: a pure reference of the SpectrumLedger rules (contracts/SpectrumLedger.sol), in the
// same fixed point (bigint micro-tokens), that the contract tests compare the contract against,
// and the convergence bound the trial test derives. The product never runs it: the runner
// reads the contract's Granted/Settled events.

export interface GrantInput {
  /** Balances in micro-tokens, in operator (index) order. */
  balances: readonly bigint[];
  /** Requested units per operator (0 = no request). */
  requests: readonly bigint[];
  /** W in spectrum units. */
  bandUnits: bigint;
  /** Micro-tokens per unit per second. */
  priceMicro: bigint;
  epochMs: bigint;
}

/** floor(balance / (price * epochMs / 1000)) = floor(balance * 1000 / (price * epochMs)). */
export function affordableUnits(balanceMicro: bigint, priceMicro: bigint, epochMs: bigint): bigint {
  return (balanceMicro * 1000n) / (priceMicro * epochMs);
}

/**
 * Balance-weighted water-filling of the band (see SpectrumLedger.decide):
 * cap_k = min(request_k, affordable_k); among operators with cap_k > 0, share_k =
 * remaining * balance_k / sum(balances of active); every operator whose cap fits within its
 * share gets its cap and leaves, and the rest is shared again; when no cap fits, each gets the
 * floor of its share and the leftover units go one each by largest remainder (ties: lower index).
 */
export function computeGrants(input: GrantInput): bigint[] {
  const { balances, requests, bandUnits, priceMicro, epochMs } = input;
  const n = balances.length;
  if (requests.length !== n) throw new RangeError('computeGrants: balances and requests differ in length');
  const cap = balances.map((b, k) => {
    const a = affordableUnits(b, priceMicro, epochMs);
    return requests[k] < a ? requests[k] : a;
  });
  const active = cap.map((c) => c > 0n);
  const grant: bigint[] = new Array<bigint>(n).fill(0n);
  let remaining = bandUnits;
  while (remaining > 0n) {
    let sumBal = 0n;
    let count = 0;
    for (let k = 0; k < n; k++) if (active[k]) (sumBal += balances[k]), count++;
    if (count === 0) break;
    let taken = 0n;
    let removed = false;
    for (let k = 0; k < n; k++) {
      if (active[k] && cap[k] * sumBal <= remaining * balances[k]) {
        grant[k] = cap[k];
        taken += cap[k];
        active[k] = false;
        removed = true;
      }
    }
    if (removed) {
      remaining -= taken;
      continue;
    }
    const rem: bigint[] = new Array<bigint>(n).fill(0n);
    let given = 0n;
    for (let k = 0; k < n; k++) {
      if (!active[k]) continue;
      grant[k] = (remaining * balances[k]) / sumBal;
      rem[k] = (remaining * balances[k]) % sumBal;
      given += grant[k];
    }
    // Largest remainder, ties to the lower index: a stable sort by remainder, descending.
    const order = [...Array(n).keys()].filter((k) => active[k]).sort((a, b) => (rem[b] > rem[a] ? 1 : rem[b] < rem[a] ? -1 : a - b));
    for (let left = remaining - given, i = 0; left > 0n; left--, i++) grant[order[i]] += 1n;
    remaining = 0n;
  }
  return grant;
}

/** The escrow of a grant: units x price x epoch length, floored (micro-tokens). */
export function escrowOf(units: bigint, priceMicro: bigint, epochMs: bigint): bigint {
  return (units * priceMicro * epochMs) / 1000n;
}

/**
 * A settlement of `usedUnits` (<= grant) out of a grant with `escrow`: the used share of the escrow
 * is spent, a holding charge (holdingBps / 10,000) is kept on the unused part, the rest refunded.
 */
export function settlementOf(escrow: bigint, grantUnits: bigint, usedUnits: bigint, holdingBps: bigint): { spent: bigint; holding: bigint; refund: bigint } {
  const spent = grantUnits === 0n ? 0n : (escrow * usedUnits) / grantUnits;
  const holding = ((escrow - spent) * holdingBps) / 10_000n;
  return { spent, holding, refund: escrow - spent - holding };
}

/**
 * The balances after `cost` (spent + holding charge, already out of the payer's balance through
 * escrow) is shared among the others in `epoch`: the others (index order) get cost / (n-1) each, and the remainder goes one micro-token each to consecutive others starting
 * at position epoch mod (n-1).
 */
export function shareAmongOthers(balances: readonly bigint[], payer: number, cost: bigint, epoch: bigint): bigint[] {
  const n = balances.length;
  const others = BigInt(n - 1);
  const out = [...balances];
  const share = cost / others;
  const extra = cost % others;
  const start = epoch % others;
  let j = 0n;
  for (let i = 0; i < n; i++) {
    if (i === payer) continue;
    out[i] += share + ((j + others - start) % others < extra ? 1n : 0n);
    j++;
  }
  return out;
}

/**
 * Saturated demand with proportional grants: operator k uses W * b_k / M each epoch and spends
 * the fraction c = W * price * epoch / M of the supply M in proportion to its balance, and receives
 * an equal part of everyone else's spending. With x_k = b_k / M:
 *   x_k' = x_k - c x_k + c (1 - x_k) / (n - 1)   =>   (x_k' - 1/n) = (1 - c n / (n - 1)) (x_k - 1/n).
 * The deviation from W/n contracts by |1 - c n/(n-1)| per epoch (a contraction when
 * 0 < c n/(n-1) < 2). This returns that factor.
 */
export function saturatedContraction(n: number, spendFraction: number): number {
  return Math.abs(1 - (spendFraction * n) / (n - 1));
}

/**
 * Epochs after which a relative grant deviation |g_k - W/n| / (W/n) that starts at
 * `initialDeviation` is below `tolerance`, by the contraction above (Infinity if it does not
 * contract). Integer rounding of grants and costs adds a small bounded term on top.
 */
export function epochsToConverge(n: number, spendFraction: number, initialDeviation: number, tolerance: number): number {
  if (initialDeviation <= tolerance) return 0;
  const q = saturatedContraction(n, spendFraction);
  if (q >= 1) return Infinity;
  if (q === 0) return 1;
  return Math.ceil(Math.log(tolerance / initialDeviation) / Math.log(q));
}

/**
 * The same market when each epoch's decision overlaps the previous epoch (issue 12 item 3:
 * epoch k+1 is requested and decided while epoch k runs, before k is settled): the decision
 * for k+1 sees each balance after epoch k-1's settlement less epoch k's escrow, so grant
 * shares follow f' = (x - c f) / (1 - c) while balances follow x' = x - c f + c (1 - f) / (n - 1).
 * Returns, per epoch (from the first), the largest relative grant deviation |f_k - 1/n| / (1/n),
 * starting from balance shares `x0` (the first decision sees them as they are).
 */
export function pipelinedDeviations(n: number, spendFraction: number, x0: number[], epochs: number): number[] {
  const c = spendFraction;
  let x = [...x0];
  let f = [...x0];
  const out: number[] = [];
  for (let k = 0; k < epochs; k++) {
    out.push(Math.max(...f.map((v) => Math.abs(v - 1 / n) * n)));
    const nextF = x.map((xi, i) => (xi - c * f[i]!) / (1 - c));
    x = x.map((xi, i) => xi - c * f[i]! + (c * (1 - f[i]!)) / (n - 1));
    f = nextF;
  }
  return out;
}

/** The first epoch (1-based) from which every deviation of `devs` stays within `tolerance`. */
export function settlesWithin(devs: number[], tolerance: number): number {
  let k = devs.length;
  while (k > 0 && devs[k - 1]! <= tolerance) k--;
  return k + 1;
}
