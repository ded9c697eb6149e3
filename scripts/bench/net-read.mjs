// Net family read with 10,000 open TCP sockets (5,000 loopback connections, both ends),
// in a network namespace of its own so that the machine's other sockets stay out: the
// eBPF read, the fallback's read, systeminformation's networkConnections() and the
// reference parse of /proc/net/tcp{,6} with inode → pid (net-read-reference.mjs), timed
// interleaved in one run (net-read-child.mjs runs them inside the namespace), with the
// ratio of each to the eBPF read taken per round.
import { execFileSync } from 'node:child_process';
import { quartiles } from './measure.mjs';

const ROWS = 10_000;
const ROUNDS = 21;
const CHILD = new URL('./net-read-child.mjs', import.meta.url).pathname;

export async function benchNetRead({ rows = ROWS, rounds = ROUNDS } = {}) {
  // The holder needs rows + a few descriptors: raise the hard limit for the namespace's processes.
  const out = execFileSync('prlimit', [`--nofile=${rows + 1024}:${rows + 1024}`, 'unshare', '--net', process.execPath, CHILD, String(rows), String(rounds)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, cwd: new URL('../..', import.meta.url).pathname,
  });
  const r = JSON.parse(out.trim().split('\n').pop());
  const ratios = {};
  const cpuRatios = {};
  for (const k of ['si', 'reference', 'fallback', 'iter', 'floor']) {
    ratios[k] = quartiles(r.ms[k].map((t, i) => t / r.ms.ebpf[i]));
    cpuRatios[k] = quartiles(r.cpu[k].map((t, i) => t / r.cpu.ebpf[i]));
  }
  const phases = {};
  for (const k of Object.keys(r.ebpfPhases[0] ?? {})) if (k.endsWith('Ms')) phases[k] = quartiles(r.ebpfPhases.map((p) => p[k]));
  const stat = (v) => ({ ...quartiles(v), min: Math.min(...v), max: Math.max(...v) });
  const cpuStats = Object.fromEntries(Object.entries(r.cpu).map(([k, v]) => [k, quartiles(v)]));
  return { ...r, stats: Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, stat(v)])), cpuStats, ratios, cpuRatios, phases };
}

export function reportNetRead(r) {
  const ms = (v) => `${v.toFixed(2)}`.padStart(8);
  const x = (q) => `${q.median.toFixed(2)}x [${q.q1.toFixed(2)}–${q.q3.toFixed(2)}]`.padEnd(22);
  const label = {
    ebpf: 'net family read, eBPF (engine.collect)',
    fallback: 'net family read, fallback (procfs)',
    si: "systeminformation networkConnections()",
    reference: 'reference: /proc/net/tcp{,6} + /proc/*/fd',
    iter: "the family's iter/tcp program alone (no decode)",
    floor: 'empty iter/tcp program (kernel walk only)',
  };
  const seen = (k) => [...new Set(r.seen[k])].join('/');
  const lines = [
    `net family read: ${r.sockets.toLocaleString()} TCP sockets in a namespace of its own (${(r.rows / 2).toLocaleString()} loopback connections, both ends, + listener), ${r.rounds} rounds, order rotating`,
    `  ${''.padEnd(48)} ${'wall ms: median'.padStart(15)} ${'q1'.padStart(8)} ${'q3'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}   CPU ms: median  holder's sockets seen`,
    ...Object.keys(label).map((k) => `  ${label[k].padEnd(48)} ${ms(r.stats[k].median).padStart(15)} ${ms(r.stats[k].q1)} ${ms(r.stats[k].q3)} ${ms(r.stats[k].min)} ${ms(r.stats[k].max)}   ${ms(r.cpuStats[k].median).padStart(14)}  ${k === 'floor' ? '(writes nothing)' : k === 'iter' ? `${seen(k)} bytes` : seen(k)}`),
    `  per round, x the eBPF read: wall time median [quartiles], CPU time median [quartiles]`,
    ...['si', 'reference', 'fallback', 'iter', 'floor'].map((k) => `    ${label[k].padEnd(48)} ${x(r.ratios[k])}   ${x(r.cpuRatios[k])}`),
  ];
  if (Object.keys(r.phases).length > 0) lines.push(`  eBPF read by phase (source counters), median [quartiles] ms: ${Object.entries(r.phases).map(([k, q]) => `${k} ${q.median.toFixed(2)} [${q.q1.toFixed(2)}–${q.q3.toFixed(2)}]`).join(', ')}`);
  const t = r.stats.ebpf.median;
  const met = (ok) => (ok ? 'met' : 'NOT met');
  lines.push(
    `  targets: eBPF read <= 10 ms: ${t.toFixed(2)} ms median, ${r.stats.ebpf.min.toFixed(2)} ms fastest -> ${met(t <= 10)};` +
      ` >= 20x cheaper than systeminformation: ${r.ratios.si.median.toFixed(1)}x wall, ${r.cpuRatios.si.median.toFixed(1)}x CPU -> ${met(r.ratios.si.median >= 20)};` +
      ` >= 5x cheaper than the /proc reference: ${r.ratios.reference.median.toFixed(1)}x wall, ${r.cpuRatios.reference.median.toFixed(1)}x CPU -> ${met(r.ratios.reference.median >= 5)}`,
  );
  return lines.join('\n');
}
