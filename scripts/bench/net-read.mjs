// Net family read with 10,000 open TCP sockets (5,000 loopback connections, both ends),
// in a network namespace of its own so that the machine's other sockets stay out: the
// eBPF read, the fallback's read, systeminformation's networkConnections() and the
// reference parse of /proc/net/tcp{,6} with inode → pid (net-read-reference.mjs), timed
// interleaved in one run (net-read-child.mjs runs them inside the namespace), with the
// ratio of each to the eBPF read taken per round.
import { execFileSync } from 'node:child_process';
import { quartiles } from './measure.mjs';

const ROWS = 10_000;
const ROUNDS = 15;
const CHILD = new URL('./net-read-child.mjs', import.meta.url).pathname;

export async function benchNetRead({ rows = ROWS, rounds = ROUNDS } = {}) {
  // The holder needs rows + a few descriptors: raise the hard limit for the namespace's processes.
  const out = execFileSync('prlimit', [`--nofile=${rows + 1024}:${rows + 1024}`, 'unshare', '--net', process.execPath, CHILD, String(rows), String(rounds)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, cwd: new URL('../..', import.meta.url).pathname,
  });
  const r = JSON.parse(out.trim().split('\n').pop());
  const ratios = {};
  for (const k of ['si', 'reference', 'fallback', 'floor']) ratios[k] = quartiles(r.ms[k].map((t, i) => t / r.ms.ebpf[i]));
  const phases = {};
  for (const k of Object.keys(r.ebpfPhases[0] ?? {})) if (k.endsWith('Ms')) phases[k] = quartiles(r.ebpfPhases.map((p) => p[k]));
  return { ...r, stats: Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, { ...quartiles(v), min: Math.min(...v), max: Math.max(...v) }])), ratios, phases };
}

export function reportNetRead(r) {
  const ms = (v) => `${v.toFixed(2)}`.padStart(9);
  const label = {
    ebpf: 'net family read, eBPF (engine.collect)',
    fallback: 'net family read, fallback (procfs)',
    si: "systeminformation networkConnections()",
    reference: 'reference: /proc/net/tcp{,6} + /proc/*/fd',
    floor: 'empty iter/tcp program (kernel walk only)',
  };
  const seen = (k) => [...new Set(r.seen[k])].join('/');
  const lines = [
    `net family read: ${r.sockets.toLocaleString()} TCP sockets in a namespace of its own (${(r.rows / 2).toLocaleString()} loopback connections, both ends, + listener), ${r.rounds} rounds, order rotating`,
    `  ${''.padEnd(44)} ${'median'.padStart(9)} ${'q1'.padStart(9)} ${'q3'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}  ms   holder's sockets seen`,
    ...Object.keys(label).map((k) => `  ${label[k].padEnd(44)} ${ms(r.stats[k].median)} ${ms(r.stats[k].q1)} ${ms(r.stats[k].q3)} ${ms(r.stats[k].min)} ${ms(r.stats[k].max)}      ${k === 'floor' ? '(writes nothing)' : seen(k)}`),
    `  per round, x the eBPF read's time: median [quartiles]`,
    ...['si', 'reference', 'fallback', 'floor'].map((k) => `    ${label[k].padEnd(42)} ${r.ratios[k].median.toFixed(2)}x [${r.ratios[k].q1.toFixed(2)}–${r.ratios[k].q3.toFixed(2)}]`),
  ];
  if (Object.keys(r.phases).length > 0) lines.push(`  eBPF read by phase (source counters), median [quartiles] ms: ${Object.entries(r.phases).map(([k, q]) => `${k} ${q.median.toFixed(2)} [${q.q1.toFixed(2)}–${q.q3.toFixed(2)}]`).join(', ')}`);
  const t = r.stats.ebpf.median;
  const met = (ok) => (ok ? 'met' : 'NOT met');
  lines.push(
    `  targets: eBPF read <= 10 ms: ${t.toFixed(2)} ms median -> ${met(t <= 10)}; >= 20x cheaper than systeminformation: ${r.ratios.si.median.toFixed(1)}x -> ${met(r.ratios.si.median >= 20)};` +
      ` >= 5x cheaper than the /proc reference: ${r.ratios.reference.median.toFixed(1)}x -> ${met(r.ratios.reference.median >= 5)}`,
  );
  return lines.join('\n');
}
