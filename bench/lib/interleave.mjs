// A and B measured in turn, round by round (A B, then B A, ...), so a machine whose speed
// drifts during the run moves both alike; the ratio is taken round by round.

/** Runs `rounds` pairs; each sample is what the function returns (ms), or its own duration. */
export async function interleave(rounds, a, b, { warmup = 1 } = {}) {
  const time = async (fn) => {
    const t0 = performance.now();
    const v = await fn();
    return typeof v === 'number' ? v : performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) {
    await time(a);
    await time(b);
  }
  const as = [];
  const bs = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      as.push(await time(a));
      bs.push(await time(b));
    } else {
      bs.push(await time(b));
      as.push(await time(a));
    }
  }
  return { a: as, b: bs };
}

export function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One benchmark's figures: A (ranlab), B (baseline), their per-round ratio A/B, min and median. */
export function figure(name, unit, samples, extra = {}) {
  const ratios = samples.a.map((x, i) => x / samples.b[i]);
  const r3 = (x) => +x.toFixed(3);
  return {
    name,
    unit,
    rounds: samples.a.length,
    ranlab: { min: r3(Math.min(...samples.a)), median: r3(median(samples.a)) },
    baseline: { min: r3(Math.min(...samples.b)), median: r3(median(samples.b)) },
    ratio: { min: r3(Math.min(...ratios)), median: r3(median(ratios)) },
    ...extra,
  };
}
