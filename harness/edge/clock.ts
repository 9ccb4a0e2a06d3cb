// Four-timestamp clock exchange (as NTP): t1 client send, t2 server receive, t3 server send,
// t4 client receive. offset = ((t2 - t1) + (t3 - t4)) / 2 is the server clock minus the
// client's; whatever the path's asymmetry, the true offset lies within +/- (round trip) / 2
// of it, so that half round trip is the error bound. Of several exchanges the one with the
// shortest round trip gives the tightest bound.

export interface ClockSample {
  t1: bigint;
  t2: bigint;
  t3: bigint;
  t4: bigint;
}

export interface ClockOffset {
  /** Server clock minus client clock, ns. */
  offsetNs: number;
  /** |true offset - offsetNs| <= errorNs. */
  errorNs: number;
  rttNs: number;
}

export function offsetOf(s: ClockSample): ClockOffset {
  const rtt = Number(s.t4 - s.t1 - (s.t3 - s.t2));
  const offset = (Number(s.t2 - s.t1) + Number(s.t3 - s.t4)) / 2;
  return { offsetNs: offset, errorNs: Math.max(0, rtt) / 2, rttNs: rtt };
}

/** The estimate with the smallest error bound. */
export function bestOffset(samples: ClockSample[]): ClockOffset {
  if (!samples.length) throw new Error('no clock samples');
  return samples.map(offsetOf).reduce((a, b) => (b.errorNs < a.errorNs ? b : a));
}
