// The barrier reads (rule 4, barrier.ts): which side-effect-free reads can serve, in what
// order for this modem, and the nonce that makes each one's echo unique.
import { commandSpec } from '../commands.js';
import type { ChannelState } from './state.js';

/** Barrier reads, each with a reply prefix of its own and no side effects. */
const BARRIER_BASES = ['AT+CMEE?', 'AT+CSQ', 'AT+CGEREP?'];
const BARRIER_PREFIXES = BARRIER_BASES.map((b) => commandSpec(b).prefix!);

/**
 * The barrier's text with a nonce in the letter case of its command name (`AT+cMeE?`):
 * command names are case-insensitive (V.250), and the modem echoes the line verbatim, so the
 * echo of barrier k is unique among the last 2^letters - 1 barriers, and never equal to a
 * command the driver sends (those are upper case).
 */
export function barrierText(base: string, k: number): string {
  const letters = (/^AT[+]([A-Z0-9]+)/.exec(base)?.[1] ?? '').replace(/[^A-Z]/g, '').length;
  const nonce = 1 + (k % ((1 << letters) - 1));
  let bit = 0;
  return base.replace(/^(AT[+])([A-Z0-9]+)/, (_m, at: string, name: string) =>
    at + [...name].map((ch) => (/[A-Z]/.test(ch) ? ((nonce >> bit++) & 1 ? ch.toLowerCase() : ch) : ch)).join(''),
  );
}

/**
 * Barrier bases to try, best first: neither refused by this modem nor sharing a prefix with a
 * command that timed out since the last barrier; then the refused ones; never an outstanding
 * prefix unless every base has one (then the first, as the last resort).
 */
export function barrierOrder(st: ChannelState): string[] {
  const free = BARRIER_BASES.filter((_b, i) => !st.outstanding.has(BARRIER_PREFIXES[i]));
  const order = [...free.filter((b) => !st.refusedBarriers.has(b)), ...free.filter((b) => st.refusedBarriers.has(b))];
  return order.length > 0 ? order : [BARRIER_BASES[0]];
}
