import { afterWarmup, linearFit } from './fit.mjs';

// The soak's verdicts, its text summary, and a self-contained HTML page with inline SVG plots.

const MiB = 1024 * 1024;
const fmtMiB = (b) => `${(b / MiB).toFixed(1)} MiB`;
const COUNTS = ['fds', 'progs', 'maps', 'links'];

/**
 * The targets, each with its figure and whether it holds.
 * @param {object} r runSoak's result
 * @param {ReturnType<import('./fit.mjs').rssSlope>} slope
 * @param {{ maxSlopeKiB: number }} o
 * @param {{ from: number, by: string }} warmup where warm-up ends (fit.mjs warmupEnd)
 */
export function verdicts(r, slope, o, warmup) {
  const out = [];
  out.push({
    target: `RSS slope after warm-up <= ${o.maxSlopeKiB} KiB per 1,000 collects`,
    ok: slope !== null && slope.kibPer1000 <= o.maxSlopeKiB,
    figure: slope === null ? 'fewer than 2 samples after warm-up: run more collects' : `${slope.kibPer1000.toFixed(3)}${slope.fit.slopeStdErr === null ? '' : ` ± ${((slope.fit.slopeStdErr * 1000) / 1024).toFixed(3)} (standard error)`} KiB per 1,000 collects (fit over collects ${slope.from}..${r.collects}, ${slope.fit.n} samples, r² ${slope.fit.r2.toFixed(3)})`,
  });
  const after = afterWarmup(r.samples, warmup.from);
  for (const k of COUNTS) {
    const values = after.map((s) => s[k]);
    const min = Math.min(...values);
    const max = Math.max(...values);
    out.push({ target: `${k} flat after warm-up (every sample the same)`, ok: values.length > 0 && min === max, figure: `${min}..${max} over ${values.length} samples (at collect 0: ${r.samples[0][k]})` });
  }
  out.push({
    target: 'after close(): every fd, program, map and link the engine made is gone (compared with before the engine)',
    ok: r.leftovers.length === 0,
    figure: r.leftovers.length === 0 ? `none left (before ${JSON.stringify(r.before)}, after ${JSON.stringify(r.after)})` : r.leftovers.map((l) => `${l.type} ${l.id}${l.target ? ` (${l.target})` : ''}`).join(', '),
  });
  out.push({
    target: 'after close(): none of the programs, maps and links the engine made still exists in the kernel (bpftool)',
    ok: r.kernel.available && r.kernel.alive.length === 0,
    figure: !r.kernel.available ? r.kernel.reason : r.kernel.alive.length === 0 ? `none of ${r.made.progs} programs, ${r.made.maps} maps, ${r.made.links} links (gone from the kernel's lists ${r.kernel.waitedMs} ms after close)` : r.kernel.alive.map((a) => `${a.type} ${a.id}${a.name ? ` ${a.name}` : ''}`).join(', '),
  });
  return out;
}

/**
 * Slopes after warm-up of the parts of memory, in KiB per 1,000 collects: where RSS growth
 * would come from (V8 heap, external memory such as Buffers, or the rest: native code's
 * malloc, code space, stacks).
 */
export function partSlopes(r, warmup) {
  const after = afterWarmup(r.samples, warmup.from);
  if (after.length < 2) return null;
  const xs = after.map((s) => s.collects);
  const k = (ys) => (linearFit(xs, ys).slope * 1000) / 1024;
  return {
    heapUsed: k(after.map((s) => s.heapUsed)),
    heapTotal: k(after.map((s) => s.heapTotal)),
    external: k(after.map((s) => s.external)),
    rest: k(after.map((s) => s.rss - s.heapTotal - s.external)),
  };
}

/** The plain-text summary. */
export function summary(r, slope, checks, warmup = null) {
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const lines = [
    `families: ${r.families.map((f) => `${f} (${r.sources[f]})`).join(', ')}${Object.keys(r.skipped).length ? `; left out: ${Object.entries(r.skipped).map(([f, why]) => `${f} (${why})`).join('; ')}` : ''}`,
    `collects: ${r.collects}${r.stoppedByTime ? ` (of ${r.planned} asked: stopped by --max-seconds)` : ''}${r.interrupted ? ` (of ${r.planned} asked: interrupted)` : ''} in ${r.loopSeconds.toFixed(1)} s = ${r.rate.toFixed(0)} collects/s (engine start ${r.startSeconds.toFixed(2)} s); process CPU ${r.processCpuSeconds.toFixed(1)} s (${((1000 * r.processCpuSeconds) / r.collects).toFixed(2)} ms per collect)`,
    `mean wall time of one read (families read in parallel): ${Object.entries(r.readMs).map(([f, ms]) => `${f} ${ms === null ? '-' : ms.toFixed(2)} ms`).join(', ')}`,
    `RSS ${fmtMiB(first.rss)} -> ${fmtMiB(last.rss)}; heap used ${fmtMiB(first.heapUsed)} -> ${fmtMiB(last.heapUsed)}; external ${fmtMiB(first.external)} -> ${fmtMiB(last.external)}`,
    ...(warmup === null ? [] : [`warm-up: the first ${warmup.from} collects (${warmup.by === 'new space' ? "until V8's new space reached its largest size" : 'the --warmup fraction of the collects'})`, partSlope(r, warmup)]),
    `fds ${first.fds} -> ${last.fds}; BPF programs ${first.progs} -> ${last.progs}, maps ${first.maps} -> ${last.maps}, links ${first.links} -> ${last.links}`,
    `before the engine: ${JSON.stringify(r.before)}; held at the end: ${JSON.stringify(r.heldAtEnd)}; after close: ${JSON.stringify(r.after)}`,
    `events: ${r.events.map((e) => `${e.family} ${e.consumed}${e.droppedQueue ? ` (${e.droppedQueue} queue drops)` : ''}${e.droppedKernel ? ` (${e.droppedKernel} kernel drops)` : ''}${e.error ? ` [${e.error}]` : ''}`).join(', ')}; workload rounds ${r.workloadRounds}`,
    `snapshot errors: ${Object.keys(r.errors).length === 0 ? 'none' : Object.entries(r.errors).map(([k, n]) => `${k} x${n}`).join(', ')}`,
    ...(r.closedForeign.length ? [`fds the process held before the engine and not after: ${r.closedForeign.map((l) => `${l.type} ${l.id}`).join(', ')}`] : []),
    ...checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.target}: ${c.figure}`),
  ];
  return lines.join('\n');
}

function partSlope(r, warmup) {
  const p = partSlopes(r, warmup);
  if (p === null) return 'slopes after warm-up: too few samples';
  return `slopes after warm-up, KiB per 1,000 collects: heap used ${p.heapUsed.toFixed(3)}, heap total ${p.heapTotal.toFixed(3)}, external ${p.external.toFixed(3)}, RSS less heap total and external ${p.rest.toFixed(3)}`;
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** One SVG plot: x = collects, one polyline per series, an optional fit line and warm-up band. */
function plot(title, unit, xs, series, { fit = null, warmupTo = 0, scale = 1 } = {}) {
  const W = 760, H = 220, L = 70, R = 150, T = 24, B = 34;
  const all = series.flatMap((s) => s.ys.map((y) => y / scale));
  let lo = Math.min(...all), hi = Math.max(...all);
  if (lo === hi) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const xMax = Math.max(...xs, 1);
  const px = (x) => L + ((W - L - R) * x) / xMax;
  const py = (y) => T + (H - T - B) * (1 - (y - lo) / (hi - lo));
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${L}" y="15" font-size="13" font-weight="bold">${esc(title)}</text>`];
  if (warmupTo > 0) parts.push(`<rect x="${px(0)}" y="${T}" width="${px(warmupTo) - px(0)}" height="${H - T - B}" fill="#eee"/><text x="${px(0) + 3}" y="${T + 12}" fill="#888">warm-up</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/><text x="${L - 4}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(hi - lo < 10 ? 2 : 1)}</text>`);
    const x = (xMax * i) / 4;
    parts.push(`<text x="${px(x)}" y="${H - B + 14}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 4}" text-anchor="middle">collects</text><text x="12" y="${T + (H - T - B) / 2}" transform="rotate(-90 12 ${T + (H - T - B) / 2})" text-anchor="middle">${esc(unit)}</text>`);
  series.forEach((s, i) => {
    const pts = xs.map((x, j) => `${px(x).toFixed(1)},${py(s.ys[j] / scale).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colours[i]}" stroke-width="1.2" points="${pts}"/><text x="${W - R + 8}" y="${T + 14 * (i + 1)}" fill="${colours[i]}">${esc(s.name)}</text>`);
  });
  if (fit) {
    const x0 = fit.from, x1 = xMax;
    parts.push(`<line x1="${px(x0)}" x2="${px(x1)}" y1="${py((fit.fit.intercept + fit.fit.slope * x0) / scale)}" y2="${py((fit.fit.intercept + fit.fit.slope * x1) / scale)}" stroke="#000" stroke-dasharray="5,3"/>`,
      `<text x="${W - R + 8}" y="${T + 14 * (series.length + 1)}">fit: ${fit.kibPer1000.toFixed(3)} KiB</text><text x="${W - R + 8}" y="${T + 14 * (series.length + 2)}">per 1,000 collects</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The HTML page: summary, verdicts and the plots over collects. */
export function html(r, slope, checks, o, warmup) {
  const xs = r.samples.map((s) => s.collects);
  const col = (k) => r.samples.map((s) => s[k]);
  const warmupTo = warmup.from;
  const plots = [
    plot('Resident set size', 'MiB', xs, [{ name: 'RSS', ys: col('rss') }], { fit: slope, warmupTo, scale: MiB }),
    ...(r.samples.every((s) => typeof s.newSpace === 'number') ? [plot('V8 heap spaces (size)', 'MiB', xs, [{ name: 'new space', ys: col('newSpace') }, { name: 'old space', ys: col('oldSpace') }], { warmupTo, scale: MiB })] : []),
    plot('V8 heap and external memory', 'MiB', xs, [{ name: 'heap used', ys: col('heapUsed') }, { name: 'heap total', ys: col('heapTotal') }, { name: 'external', ys: col('external') }, { name: 'array buffers', ys: col('arrayBuffers') }], { warmupTo, scale: MiB }),
    plot('Open file descriptors', 'fds', xs, [{ name: 'fds', ys: col('fds') }], { warmupTo }),
    plot('BPF objects held', 'count', xs, [{ name: 'programs', ys: col('progs') }, { name: 'maps', ys: col('maps') }, { name: 'links', ys: col('links') }], { warmupTo }),
  ];
  return `<!doctype html><html><head><meta charset="utf-8"><title>bpfscope soak</title>
<style>body{font-family:sans-serif;max-width:900px;margin:1em auto}pre{white-space:pre-wrap;font-size:12px}.ok{color:#080}.fail{color:#c00}</style></head><body>
<h1>bpfscope soak</h1><p>${esc(o.when)} · node ${esc(process.version)} · kernel ${esc(o.kernel)}</p>
<ul>${checks.map((c) => `<li class="${c.ok ? 'ok' : 'fail'}">${c.ok ? 'PASS' : 'FAIL'} ${esc(c.target)}: ${esc(c.figure)}</li>`).join('')}</ul>
<pre>${esc(summary(r, slope, [], warmup))}</pre>
${plots.map((p) => `<div>${p}</div>`).join('\n')}
</body></html>
`;
}
