import { formatBytes } from '../units.js';
import type { RunSummaryLine } from '../run/run-report.js';
import { escapeHtml as e } from './escape.js';
import type { ReportProcess, ReportSample, RunReportData } from './report-data.js';
import { barChart, lineChart, type ChartPoint } from './svg-chart.js';

/** Most process rows the report lists; the rest are counted. */
const MAX_PROCESS_ROWS = 2000;
/** Deepest indent of a process name, em: a deeper tree keeps its depth in `data-depth`. */
const MAX_INDENT = 24;

const secs = (ms: number): number => ms / 1000;
const num = (v: number | null, digits = 0, unit = ''): string => (v === null ? '-' : `${v.toFixed(digits)}${unit}`);

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${e(title)}</h2>${body}</section>`;
}

function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th>${e(h)}</th>`).join('');
  // Cells are markup already escaped by the caller.
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** A figure with its source, or `-` with the reason it is absent. */
function figure(name: string, value: string | null, source: string, why: string | undefined): string[] {
  return [e(name), value === null ? `<span class="na">-</span>` : e(value), e(source), why === undefined ? '' : e(why)];
}

/** The summary's figures, each with its source and, when absent or partial, the reason. @internal */
export function summarySection(s: RunSummaryLine): string {
  const t = s.tree;
  const u = t.unavailable;
  const sc = s.syscalls;
  const src = t.source;
  const rows = [
    figure('exit', s.signal ? `by signal ${s.signal} (${s.exitCode})` : `code ${s.exitCode}`, 'wait()', undefined),
    figure('wall time', `${s.wallSeconds.toFixed(3)} s`, 'clock', undefined),
    figure('CPU time', t.cpuSeconds === null ? null : `${t.cpuSeconds.toFixed(3)} s`, src, u.cpuSeconds),
    figure('processes spawned', String(t.spawned), src, u.spawned),
    figure('still running at the end', String(t.alive), src, u.alive),
    figure('peak RSS', t.peakRssBytes === null ? null : formatBytes(t.peakRssBytes), src, u.peakRss),
    figure('bytes read (rchar)', t.readBytes === null ? null : formatBytes(t.readBytes), src, u.ioFromFork),
    figure('bytes written (wchar)', t.writeBytes === null ? null : formatBytes(t.writeBytes), src, u.ioFromFork),
    figure('read-class calls', t.readCalls === null ? null : String(t.readCalls), src, u.readWriteCalls),
    figure('write-class calls', t.writeCalls === null ? null : String(t.writeCalls), src, u.readWriteCalls),
    figure('minor page faults', t.minorFaults === null ? null : String(t.minorFaults), src, u.pageFaults),
    figure('major page faults', t.majorFaults === null ? null : String(t.majorFaults), src, u.pageFaults),
  ];
  if (sc) {
    rows.push(figure('syscalls', sc.count === null ? null : String(sc.count), sc.source, sc.unavailable.syscalls));
    rows.push(figure('failed syscalls', sc.errors === null ? null : String(sc.errors), sc.source, sc.unavailable.errors));
  }
  return section('summary', 'Summary', table(['figure', 'value', 'source', 'note'], rows, 'figures'));
}

/** CPU and memory over the run's samples: one chart point per sample. @internal */
export function timeSection(data: RunReportData): string {
  const xMax = data.summary?.wallSeconds ?? secs(data.samples.at(-1)?.elapsedMs ?? 0);
  const src = data.summary?.tree.source ?? 'proc family';
  const cpu = lineChart({ id: 'cpu', title: 'CPU of the process tree, % of one core', points: cpuPoints(data.samples), xMax, formatY: (v) => `${+v.toPrecision(4)} %` });
  const mem = lineChart({
    id: 'memory',
    title: 'resident memory of the live processes',
    points: data.samples.map((s) => ({ x: secs(s.elapsedMs), y: s.rssBytes, label: `${secs(s.elapsedMs)} s: ${s.rssBytes === null ? 'not measured' : formatBytes(s.rssBytes)} resident, ${s.alive} process(es) alive` })),
    xMax,
    formatY: (v) => formatBytes(Math.round(v)),
    binary: true,
  });
  const note =
    `<p class="note">${data.samples.length} sample(s), one every ${data.intervalMs} ms; source: ${e(src)}. A grey square on the axis marks a sample that did not measure the value. ` +
    "The tree's CPU time is its live processes' readings plus its exited processes' exit totals: a process that has just exited can be in neither at a sample " +
    '(no longer alive, its exit event not yet read), so a short interval can show a dip, even below 0, made up at the next sample.</p>';
  return section(
    'time',
    'Over time',
    `${note}<h3>CPU (% of one core, between samples)</h3>${cpu}<h3>Resident memory (live processes of the tree together)</h3>${mem}`,
  );
}

/**
 * CPU use between samples: the tree's CPU time gained since the previous sample that
 * measured it (or since the start) over the wall time between them.
 */
function cpuPoints(samples: ReportSample[]): ChartPoint[] {
  let prev = { t: 0, cpu: 0 };
  return samples.map((s) => {
    const t = secs(s.elapsedMs);
    if (s.cpuSeconds === null) return { x: t, y: null, label: `${t} s: CPU not measured` };
    const y = t > prev.t ? (100 * (s.cpuSeconds - prev.cpu)) / (t - prev.t) : null;
    prev = { t, cpu: s.cpuSeconds };
    const rate = y === null ? 'no time since the previous sample' : `${y.toFixed(1)} % of one core`;
    return { x: t, y, label: `${t} s: ${rate}, ${s.cpuSeconds.toFixed(3)} s CPU so far, ${s.alive} process(es) alive` };
  });
}

/** Syscalls by category (bars) and by name (table). @internal */
export function syscallSection(s: RunSummaryLine): string {
  const sc = s.syscalls;
  if (!sc) return section('syscalls', 'System calls', '<p class="na">the syscall family gave no reading (see Availability)</p>');
  const parts = [`<p class="note">source: ${e(sc.source)}</p>`];
  if (sc.byCategory) {
    const bars = Object.entries(sc.byCategory).sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value }));
    parts.push('<h3>By category</h3>', barChart('syscall-categories', 'system calls by category', bars, String));
  } else parts.push(`<p class="na">by category: not measured${sc.unavailable.categories ? `: ${e(sc.unavailable.categories)}` : ''}</p>`);
  if (sc.top.length > 0) {
    const rows = sc.top.map((c) => [e(c.name), String(c.count), c.errors === null ? '-' : String(c.errors), c.avgUs === null ? '-' : `${c.avgUs} us`]);
    parts.push('<h3>Most frequent</h3>', table(['call', 'count', 'failed', 'average latency'], rows));
  }
  const calls = Object.entries(sc.calls).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (calls.length > 0) {
    const rows = calls.map(([name, count]) => [e(name), `<span data-call="${e(name)}">${count}</span>`]);
    parts.push(`<details><summary>Every call by name (${calls.length})</summary>${table(['call', 'count'], rows, 'calls')}</details>`);
  }
  if (sc.readWriteCalls) parts.push(`<p>read-class calls ${sc.readWriteCalls.read}, write-class calls ${sc.readWriteCalls.write}</p>`);
  return section('syscalls', 'System calls', parts.join(''));
}

/** The process tree: one row per process, indented by depth. @internal */
export function processSection(data: RunReportData): string {
  const shown = data.processes.slice(0, MAX_PROCESS_ROWS);
  const rows = shown.map((p) => processRow(p, data.startedAt));
  const notes: string[] = [];
  if (data.processes.length > shown.length) notes.push(`${data.processes.length - shown.length} more process(es) not listed (the report lists ${MAX_PROCESS_ROWS})`);
  if (data.processesNote) notes.push(data.processesNote);
  const note = notes.map((n) => `<p class="note">${e(n)}</p>`).join('');
  const body = `<p class="note">${data.processes.length} process(es); start is seconds after the command started.</p>${note}${table(
    ['pid', 'ppid', 'command', 'start', 'duration', 'exit', 'CPU', 'peak RSS'],
    rows,
    'processes',
  )}`;
  return section('processes', 'Process tree', body);
}

function processRow(p: ReportProcess, startedAt: number): string[] {
  const exit = !p.exited ? 'running at the end' : p.signal !== null ? `signal ${p.signal}` : p.exitStatus !== null ? String(p.exitStatus) : 'not observed';
  const duration = p.startTime !== null && p.endTime !== null ? `${secs(p.endTime - p.startTime).toFixed(3)} s` : '-';
  return [
    `<span data-pid="${p.pid}">${p.pid}</span>`,
    String(p.ppid),
    `<span class="comm" style="padding-left:${Math.min(p.depth, MAX_INDENT)}em" data-depth="${p.depth}">${e(p.comm)}</span>`,
    p.startTime === null ? '-' : `${secs(p.startTime - startedAt).toFixed(3)} s`,
    duration,
    e(exit),
    num(p.cpuSeconds, 3, ' s'),
    p.peakRssBytes === null ? '-' : formatBytes(p.peakRssBytes),
  ];
}

/** Each family's source, what fell back and why, and every figure reported unavailable. @internal */
export function availabilitySection(data: RunReportData): string {
  const fam = data.families.map((f) => [e(f.family), f.source === null ? '<span class="na">unavailable</span>' : e(f.source), e(f.fallback ?? ''), e(f.error ?? '')]);
  const parts = [table(['family', 'source', 'fell back because', 'unavailable because'], fam)];
  const s = data.summary;
  const notes: Array<[string, string]> = [];
  if (s) {
    for (const [k, why] of Object.entries(s.tree.unavailable)) notes.push([`tree.${k}`, why]);
    for (const [k, why] of Object.entries(s.syscalls?.unavailable ?? {})) notes.push([`syscalls.${k}`, why]);
    for (const x of s.errors) notes.push([`${x.family} (${x.code})`, x.message]);
  }
  if (notes.length > 0) parts.push('<h3>Figures not measured or partial</h3>', table(['figure', 'reason'], notes.map(([k, v]) => [e(k), e(v)])));
  return section('availability', 'Availability', parts.join(''));
}
