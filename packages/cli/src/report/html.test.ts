import { describe, expect, it } from 'vitest';
import type { RunSampleLine, RunSummaryLine, RunSyscalls } from '../run/run-report.js';
import { buildReportHtml } from './html.js';
import type { RunReportData } from './report-data.js';
import { escapeHtml } from './escape.js';

const syscalls = (count: number): RunSyscalls => ({
  source: 'ebpf',
  count,
  errors: 2,
  byCategory: { process: count - 10, file: 7, memory: 3 },
  top: [{ name: 'getppid', count: count - 10, errors: 0, avgUs: 0.25 }],
  calls: { getppid: count - 10, openat: 7, mmap: 3 },
  readWriteCalls: null,
  unavailable: {},
});

function sample(elapsedMs: number, cpuSeconds: number | null, rssBytes: number | null): RunSampleLine {
  return {
    type: 'sample',
    elapsedMs,
    alive: 2,
    spawned: 3,
    cpuSeconds,
    rssBytes,
    readBytes: 10,
    writeBytes: 20,
    readCalls: null,
    writeCalls: null,
    minorFaults: 5,
    majorFaults: 0,
    syscalls: syscalls(100),
  };
}

// Five samples, the third without a CPU reading, the fifth without a memory reading.
const SAMPLES = [sample(100, 0.05, 1000), sample(200, 0.1, 2000), sample(300, null, 3000), sample(400, 0.3, 4000), sample(500, 0.35, null)];

const SUMMARY: RunSummaryLine = {
  type: 'summary',
  command: ['sh', '-c', 'echo "<script>alert(1)</script>" & x'],
  exitCode: 3,
  signal: null,
  wallSeconds: 0.55,
  tree: {
    ...SAMPLES[3]!,
    alive: 0,
    rssBytes: null,
    peakRssBytes: 5000,
    source: 'ebpf',
    unavailable: { readWriteCalls: 'the eBPF tree does not count read-class and write-class calls' },
  },
  syscalls: syscalls(1010),
  errors: [{ family: 'proc', code: 'TIMEOUT', message: 'read took too long' }],
};

function data(over: Partial<RunReportData> = {}): RunReportData {
  return {
    command: SUMMARY.command,
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    intervalMs: 100,
    samples: SAMPLES,
    summary: SUMMARY,
    startError: null,
    processes: [
      { pid: 10, ppid: 1, depth: 0, comm: 'sh', startTime: Date.UTC(2026, 0, 2, 3, 4, 5), endTime: Date.UTC(2026, 0, 2, 3, 4, 6), exitStatus: 3, signal: null, exited: true, cpuSeconds: 0.01, peakRssBytes: 4096 },
      { pid: 11, ppid: 10, depth: 1, comm: '<script>x</script>', startTime: null, endTime: null, exitStatus: null, signal: 9, exited: true, cpuSeconds: null, peakRssBytes: null },
      { pid: 12, ppid: 10, depth: 1, comm: 'sleep', startTime: null, endTime: null, exitStatus: null, signal: null, exited: false, cpuSeconds: null, peakRssBytes: null },
    ],
    processesNote: null,
    families: [
      { family: 'proc', source: null, fallback: null, error: 'TIMEOUT: read took too long' },
      { family: 'syscall', source: 'procfs', fallback: 'LOAD_FAILED: verifier said no', error: null },
    ],
    ...over,
  };
}

/** The SVG of one chart. */
function chart(html: string, id: string): string {
  const m = new RegExp(`<svg[^>]*data-chart="${id}"[\\s\\S]*?</svg>`).exec(html);
  if (!m) throw new Error(`no chart ${id}`);
  return m[0];
}
const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

describe('buildReportHtml', () => {
  const html = buildReportHtml(data());

  it('has every section', () => {
    for (const id of ['summary', 'time', 'syscalls', 'processes', 'availability']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain('data-chart="cpu"');
    expect(html).toContain('data-chart="memory"');
    expect(html).toContain('data-chart="syscall-categories"');
  });

  it('gives each chart exactly one point per sample, the unmeasured ones marked', () => {
    const cpu = chart(html, 'cpu');
    expect(count(cpu, /class="sample/g)).toBe(5);
    expect(count(cpu, /class="sample na"/g)).toBe(1);
    expect(cpu).toContain('data-samples="5"');
    const mem = chart(html, 'memory');
    expect(count(mem, /class="sample/g)).toBe(5);
    expect(count(mem, /class="sample na"/g)).toBe(1);
    expect([...mem.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]))).toEqual([1000, 2000, 3000, 4000]);
    // Lines join consecutive measured samples only: memory's four, CPU's two and two around its gap.
    expect(count(mem, /<polyline/g)).toBe(1);
    expect(count(cpu, /<polyline/g)).toBe(2);
  });

  it('draws CPU as % of one core between the samples that measured it', () => {
    const values = [...chart(html, 'cpu').matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    // 0.05 s in 0.1 s; 0.05 in 0.1; (0.3 - 0.1) over 0.2 s (the third sample did not measure); 0.05 in 0.1.
    expect(values.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([50, 50, 100, 50]);
  });

  it('draws one bar per syscall category, with its count', () => {
    const bars = [...chart(html, 'syscall-categories').matchAll(/class="bar" data-label="([^"]+)" data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(bars).toEqual([['process', 1000], ['file', 7], ['memory', 3]]);
    expect(html).toContain('<span data-call="getppid">1000</span>');
  });

  it('escapes the traced command and process names', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('echo &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; x');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(escapeHtml(`<a href='x'>&</a>\u0000`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;\ufffd');
  });

  it('makes no request: no script, no external reference, a CSP that forbids both', () => {
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    expect(html).not.toMatch(/href="(?!#)/);
  });

  it('lists the process tree with exit codes, signals and durations', () => {
    expect(count(html, /data-pid="/g)).toBe(3);
    expect([...html.matchAll(/data-depth="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([0, 1, 1]);
    const rows = html.split('<tr>').filter((r) => r.includes('data-pid='));
    expect(rows[0]).toContain('1.000 s');
    expect(rows[0]).toMatch(/<td>3<\/td>/);
    expect(rows[1]).toContain('signal 9');
    expect(rows[2]).toContain('running at the end');
  });

  it('names each value\'s source and every unavailable family and figure with its reason', () => {
    expect(html).toMatch(/<td>CPU time<\/td><td>0\.300 s<\/td><td>ebpf<\/td>/);
    expect(html).toMatch(/<td>read-class calls<\/td><td><span class="na">-<\/span><\/td><td>ebpf<\/td><td>the eBPF tree does not count/);
    expect(html).toContain('<td>proc</td><td><span class="na">unavailable</span></td><td></td><td>TIMEOUT: read took too long</td>');
    expect(html).toContain('<td>syscall</td><td>procfs</td><td>LOAD_FAILED: verifier said no</td>');
  });

  it('without samples, says so on empty charts', () => {
    const h = buildReportHtml(data({ samples: [] }));
    expect(count(chart(h, 'cpu'), /class="sample/g)).toBe(0);
    expect(chart(h, 'memory')).toContain('no samples');
  });

  it('for a command that could not start, gives the reason and the families', () => {
    const h = buildReportHtml(data({ summary: null, samples: [], processes: [], startError: 'cannot start nope: spawn nope ENOENT' }));
    expect(h).toContain('cannot start nope: spawn nope ENOENT');
    expect(h).toContain('<section id="availability">');
    expect(h).not.toContain('data-chart');
  });
});
