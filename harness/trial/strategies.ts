// Operator strategies (issue 9, seeds/004): what each operator requests in an epoch and how much
// of its grant it actually transmits on. Pure functions; the trial applies each operator's own.
import type { Strategy } from '../rig/index.js';

export interface DemandContext {
  /** W, in token units. */
  bandUnits: number;
  operators: number;
  /** This operator's balance and the mean of all (micro-tokens); absent without a ledger. */
  balanceMicro?: bigint;
  meanBalanceMicro?: bigint;
  /** The bursty traffic process's state this epoch. */
  on: boolean;
}

/** Units the operator requests this epoch. */
export function demandOf(strategy: Strategy, ctx: DemandContext): number {
  const W = ctx.bandUnits;
  const fair = Math.floor(W / ctx.operators);
  switch (strategy) {
    case 'saturated':
    case 'greedy':
    case 'hoarder':
      return W;
    case 'fair':
      return fair;
    case 'bursty':
      return ctx.on ? fair : 0;
    case 'adaptive': {
      if (ctx.balanceMicro === undefined || !ctx.meanBalanceMicro) return fair;
      const scaled = Math.round((fair * Number(ctx.balanceMicro)) / Number(ctx.meanBalanceMicro));
      return Math.max(0, Math.min(W, scaled));
    }
  }
}

/** Units of its grant the operator transmits on: none for a hoarder, otherwise up to its demand. */
export function useOf(strategy: Strategy, grantUnits: number, demandUnits: number): number {
  if (strategy === 'hoarder') return 0;
  if (strategy === 'greedy' || strategy === 'saturated') return grantUnits;
  return Math.min(grantUnits, demandUnits);
}

/**
 * A seeded on/off traffic process per operator (a two-state Markov chain: an on or off spell
 * ends with probability 0.3 each epoch, so spells last about 3 epochs), repeatable from the seed.
 */
export function burstProcess(seed: number, operatorIndex: number): () => boolean {
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(operatorIndex + 1, 0xc2b2ae35)) >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let on = next() < 0.5;
  let first = true;
  return () => {
    if (!first && next() < 0.3) on = !on;
    first = false;
    return on;
  };
}
