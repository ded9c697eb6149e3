// Least-squares line through (x, y) points, and the soak's warm-up cut.

/**
 * Ordinary least squares fit y = intercept + slope * x.
 * @param {number[]} xs
 * @param {number[]} ys
 * @returns {{ slope: number, intercept: number, r2: number, n: number, slopeStdErr: number | null }}
 *   slopeStdErr: the slope's standard error, from the residuals (null for 2 points); it takes
 *   the residuals as independent, which a GC's sawtooth is not, so read it as a lower bound
 * @throws {RangeError} for fewer than 2 points, lengths that differ, or all x equal
 */
export function linearFit(xs, ys) {
  if (xs.length !== ys.length) throw new RangeError(`linearFit: ${xs.length} x values but ${ys.length} y values`);
  const n = xs.length;
  if (n < 2) throw new RangeError(`linearFit: needs at least 2 points, got ${n}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  // Centred sums: no cancellation of large totals (x up to 1e5 collects, y up to ~1e8 bytes).
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError('linearFit: every x is the same');
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  const residual = Math.max(0, syy - slope * sxy);
  const slopeStdErr = n > 2 ? Math.sqrt(residual / (n - 2) / sxx) : null;
  return { slope, intercept: my - slope * mx, r2, n, slopeStdErr };
}

/**
 * Where warm-up ends, in collects: once `fraction` of the run's collects are done, and not
 * before V8's young generation has reached the largest size it has in the run. V8 grows its
 * new space in steps (semi-spaces doubling up to their maximum, 16 MiB each on 64-bit) while
 * the allocation rate and survival call for it; each step adds megabytes to RSS at once, a
 * change of heap sizing that happens once, not growth per collect. Samples without `newSpace`
 * (runs saved before it was recorded) use the fraction alone.
 * @param {Array<{ collects: number, newSpace?: number }>} samples in collect order
 * @param {number} totalCollects the run's collects
 * @param {number} fraction of the collects counted as warm-up at least, in [0, 1)
 * @returns {{ from: number, by: 'fraction' | 'new space' }}
 */
export function warmupEnd(samples, totalCollects, fraction) {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`warm-up fraction must be in [0, 1), got ${fraction}`);
  const byFraction = Math.ceil(totalCollects * fraction);
  if (!samples.every((s) => typeof s.newSpace === 'number')) return { from: byFraction, by: 'fraction' };
  const largest = Math.max(...samples.map((s) => s.newSpace));
  const grown = samples.find((s) => s.newSpace === largest)?.collects ?? 0;
  return grown > byFraction ? { from: grown, by: 'new space' } : { from: byFraction, by: 'fraction' };
}

/** The samples taken at or after collect `from`. */
export function afterWarmup(samples, from) {
  return samples.filter((s) => s.collects >= from);
}

/**
 * The slope of RSS in KiB per 1,000 collects over the samples from collect `from`, with its fit.
 * @returns {{ kibPer1000: number, fit: ReturnType<typeof linearFit>, from: number } | null} null with fewer than 2 samples after warm-up
 */
export function rssSlope(samples, from) {
  const after = afterWarmup(samples, from);
  if (after.length < 2) return null;
  const fit = linearFit(after.map((s) => s.collects), after.map((s) => s.rss));
  return { kibPer1000: (fit.slope * 1000) / 1024, fit, from: after[0].collects };
}
