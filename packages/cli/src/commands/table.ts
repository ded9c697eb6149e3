/**
 * Lay out rows as a plain-text table with right-aligned numeric columns.
 * @internal
 */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, leftAligned: ReadonlySet<number> = new Set([0])): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (leftAligned.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A number with fixed decimals, or `-` for an absent value. @internal */
export function num(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}
