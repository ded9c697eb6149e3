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
 * The samples after warm-up: those taken once `fraction` of the run's collects are done.
 * @param {Array<{ collects: number }>} samples in collect order
 * @param {number} totalCollects the run's collects
 * @param {number} fraction of the collects counted as warm-up, in [0, 1)
 */
export function afterWarmup(samples, totalCollects, fraction) {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`warm-up fraction must be in [0, 1), got ${fraction}`);
  const from = Math.ceil(totalCollects * fraction);
  return samples.filter((s) => s.collects >= from);
}

/**
 * The slope of RSS in KiB per 1,000 collects after warm-up, with its fit.
 * @returns {{ kibPer1000: number, fit: ReturnType<typeof linearFit>, from: number } | null} null with fewer than 2 samples after warm-up
 */
export function rssSlope(samples, totalCollects, fraction) {
  const after = afterWarmup(samples, totalCollects, fraction);
  if (after.length < 2) return null;
  const fit = linearFit(after.map((s) => s.collects), after.map((s) => s.rss));
  return { kibPer1000: (fit.slope * 1000) / 1024, fit, from: after[0].collects };
}
