/**
 * An ordinary least-squares line `usage ≈ intercept + slope × timestamp` through a series
 * of samples.
 */
export interface LinearFit {
  /** Growth, usage units per timestamp unit (bytes per second for byte samples with second timestamps). */
  slope: number;
  /** The line's value at timestamp 0. */
  intercept: number;
  /**
   * Coefficient of determination R² = 1 − SS_res / SS_tot: the share of the usage's
   * variance around its mean that the line explains, from 0 (none) to 1 (every sample on
   * the line). Null when every usage is equal (SS_tot = 0: there is no variance to explain).
   */
  rSquared: number | null;
  /** Number of samples the line was fitted to. */
  samples: number;
}

/**
 * Least squares over `count` samples of two ring buffers starting at `start` (wrapping at
 * the arrays' length). Two passes (means, then centred sums) so that large timestamps and
 * byte counts lose no precision. @internal
 */
export function fitRing(times: Float64Array, values: Float64Array, start: number, count: number): LinearFit | null {
  if (count < 2) return null;
  const cap = times.length;
  const firstEnd = Math.min(cap, start + count);
  const wrapped = count - (firstEnd - start);
  let sx = 0;
  let sy = 0;
  for (let i = start; i < firstEnd; i++) { sx += times[i] as number; sy += values[i] as number; }
  for (let i = 0; i < wrapped; i++) { sx += times[i] as number; sy += values[i] as number; }
  const mx = sx / count;
  const my = sy / count;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = start; i < firstEnd; i++) {
    const dx = (times[i] as number) - mx;
    const dy = (values[i] as number) - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  for (let i = 0; i < wrapped; i++) {
    const dx = (times[i] as number) - mx;
    const dy = (values[i] as number) - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, rSquared: syy === 0 ? null : Math.min(1, (sxy * sxy) / (sxx * syy)), samples: count };
}

/**
 * Fit a least-squares line through `(timestamp, usage)` samples.
 * @param samples - the series; order does not matter
 * @returns the line, or null with fewer than 2 samples or when every timestamp is equal
 *   (no line can be fitted)
 */
export function fitLine(samples: ReadonlyArray<{ readonly timestamp: number; readonly usage: number }>): LinearFit | null {
  const times = Float64Array.from(samples, (s) => s.timestamp);
  const values = Float64Array.from(samples, (s) => s.usage);
  return fitRing(times, values, 0, samples.length);
}
