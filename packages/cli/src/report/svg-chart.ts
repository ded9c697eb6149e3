import { escapeHtml } from './escape.js';

/** One sample on a line chart. @internal */
export interface ChartPoint {
  /** Seconds since the command started. */
  x: number;
  /** The value; null when the sample did not measure it. */
  y: number | null;
  /** Tooltip text (plain text, escaped here). */
  label: string;
}

/** A line chart of a run's samples. @internal */
export interface LineChartSpec {
  /** `data-chart` of the SVG, for tests and styling. */
  id: string;
  /** Accessible title. */
  title: string;
  /** Every sample, in order: each becomes exactly one `.sample` element. */
  points: ChartPoint[];
  /** The right end of the time axis, seconds (the run's wall time). */
  xMax: number;
  /** A value as the axis shows it. */
  formatY: (v: number) => string;
  /** Values are bytes: ticks at binary steps. @default false */
  binary?: boolean;
}

const W = 720;
const H = 220;
const M = { left: 70, right: 16, top: 12, bottom: 34 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

/**
 * 1, 2 or 5 times a power of ten, at least `v / 4`: a tick step for an axis from 0 to `v`.
 * With `binary`, the power of ten is counted in units of a power of 1024 (bytes: 512 KiB, 1 MiB).
 */
function tickStep(v: number, binary = false): number {
  const raw = v / 4;
  const unit = binary && v >= 1 ? 1024 ** Math.floor(Math.log(v) / Math.log(1024)) : 1;
  const p = unit * 10 ** Math.floor(Math.log10(raw / unit));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

const fix = (v: number): string => (Math.round(v * 10) / 10).toString();

/**
 * An inline SVG line chart: one `circle.sample` per measured sample and one `rect.sample.na`
 * per sample that did not measure the value (on the time axis), so that the chart holds
 * exactly the run's samples; lines join consecutive measured samples only.
 * @internal
 */
export function lineChart(spec: LineChartSpec): string {
  // A derived value can dip below 0 (a rate between two readings from different sources): the axis shows it.
  const ys = spec.points.flatMap((p) => (p.y === null ? [] : [p.y]));
  const yStep = tickStep(Math.max(...ys, 0) - Math.min(...ys, 0) || 1, spec.binary);
  const yMax = yStep * Math.max(1, Math.ceil(Math.max(...ys, 0) / yStep));
  const yMin = yStep * Math.floor(Math.min(...ys, 0) / yStep);
  const xStep = tickStep(spec.xMax || 1);
  const xMax = Math.max(spec.xMax, ...spec.points.map((p) => p.x)) || 1;
  const sx = (x: number): number => M.left + (x / xMax) * PW;
  const sy = (y: number): number => M.top + PH - ((y - yMin) / (yMax - yMin)) * PH;
  const out: string[] = [];
  for (let k = Math.round(yMin / yStep); k <= Math.round(yMax / yStep); k++) {
    const y = k * yStep;
    out.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${fix(sy(y))}" y2="${fix(sy(y))}"/>`);
    out.push(`<text class="tick" x="${M.left - 6}" y="${fix(sy(y) + 4)}" text-anchor="end">${escapeHtml(spec.formatY(y))}</text>`);
  }
  for (let k = 0; k * xStep <= xMax * (1 + 1e-9); k++) {
    const x = k * xStep;
    out.push(`<text class="tick" x="${fix(sx(x))}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeHtml(`${+x.toPrecision(6)} s`)}</text>`);
  }
  out.push(`<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${fix(sy(0))}" y2="${fix(sy(0))}"/>`);
  let run: string[] = [];
  const flush = (): void => {
    if (run.length > 1) out.push(`<polyline class="line" points="${run.join(' ')}"/>`);
    run = [];
  };
  for (const p of spec.points) {
    if (p.y === null) flush();
    else run.push(`${fix(sx(p.x))},${fix(sy(p.y))}`);
  }
  flush();
  spec.points.forEach((p, i) => {
    const title = `<title>${escapeHtml(p.label)}</title>`;
    if (p.y === null) out.push(`<rect class="sample na" data-i="${i}" x="${fix(sx(p.x) - 3)}" y="${fix(sy(0) - 3)}" width="6" height="6">${title}</rect>`);
    else out.push(`<circle class="sample" data-i="${i}" data-value="${p.y}" cx="${fix(sx(p.x))}" cy="${fix(sy(p.y))}" r="3">${title}</circle>`);
  });
  if (spec.points.length === 0) out.push(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no samples</text>`);
  return `<svg class="chart" data-chart="${escapeHtml(spec.id)}" data-samples="${spec.points.length}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg">${out.join('')}</svg>`;
}

/** One bar of a bar chart. @internal */
export interface Bar {
  label: string;
  value: number;
}

/**
 * An inline SVG horizontal bar chart, largest first as given; one `rect.bar` per entry.
 * @internal
 */
export function barChart(id: string, title: string, bars: Bar[], format: (v: number) => string): string {
  const rowH = 22;
  const h = Math.max(1, bars.length) * rowH + 8;
  const labelW = 140;
  const valueW = 90;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = (b.value / max) * (W - labelW - valueW);
    const label = escapeHtml(b.label);
    return (
      `<text class="tick" x="${labelW - 6}" y="${y + 15}" text-anchor="end">${label}</text>` +
      `<rect class="bar" data-label="${label}" data-value="${b.value}" x="${labelW}" y="${y + 3}" width="${fix(Math.max(w, 1))}" height="${rowH - 6}"><title>${label}: ${escapeHtml(format(b.value))}</title></rect>` +
      `<text class="tick" x="${fix(labelW + Math.max(w, 1) + 6)}" y="${y + 15}">${escapeHtml(format(b.value))}</text>`
    );
  });
  return `<svg class="chart" data-chart="${escapeHtml(id)}" viewBox="0 0 ${W} ${h}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>`;
}
