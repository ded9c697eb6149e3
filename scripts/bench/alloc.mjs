// Memory a reading costs (docs/memory.md): KB of JavaScript objects allocated per read of
// each family (V8's sampling heap profiler, collected objects included; median over
// rounds), and RSS and V8 heap after 30 reads at 1 Hz of all four families in one engine
// beside the same process with the packages imported and no engine, and once more with
// glibc's mmap threshold pinned (pinMallocMmapThreshold(), as the bpfscope command does).
// Every figure comes from a process of its own (alloc-child.mjs) under Node's defaults.
import { execFileSync } from 'node:child_process';
import { quartiles } from './measure.mjs';

const CHILD = new URL('./alloc-child.mjs', import.meta.url).pathname;
const FAMILIES = ['cpu', 'mem', 'proc', 'syscall'];
const READS = Number(process.env.BENCH_ALLOC_READS ?? 20);
const ROUNDS = Number(process.env.BENCH_ALLOC_ROUNDS ?? 3);
const GAP_MS = Number(process.env.BENCH_ALLOC_GAP_MS ?? 100);
const RSS_READS = Number(process.env.BENCH_ALLOC_RSS_READS ?? 30);
const RSS_GAP_MS = Number(process.env.BENCH_ALLOC_RSS_GAP_MS ?? 1000);
const RSS_RUNS = Number(process.env.BENCH_ALLOC_RSS_RUNS ?? 2);

const child = (...args) => JSON.parse(execFileSync(process.execPath, [CHILD, ...args.map(String)], { encoding: 'utf8' }).trim().split('\n').at(-1));

/** @returns every measurement, raw */
export async function benchAlloc() {
  const perRead = {};
  for (const set of [...FAMILIES.map((f) => [f]), FAMILIES]) perRead[set.join('+')] = child('perread', set.join(','), READS, ROUNDS, GAP_MS).kbPerRead;
  const rss = { reference: [], four: [], pinned: [] };
  // Interleaved: a drift in the machine's load reaches both alike.
  for (let i = 0; i < RSS_RUNS; i++) {
    rss.reference.push(child('rss', 'none', RSS_READS, RSS_GAP_MS));
    rss.four.push(child('rss', FAMILIES.join(','), RSS_READS, RSS_GAP_MS));
    rss.pinned.push(child('rss', FAMILIES.join(','), RSS_READS, RSS_GAP_MS, 'pin'));
  }
  return { perRead, rss };
}

const span = (xs, f) => `${f(quartiles(xs).median)} [${f(Math.min(...xs))}-${f(Math.max(...xs))}]`;
const kb = (x) => `${x.toFixed(0)} KB`;
const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MB`;

export function reportAlloc(o) {
  const lines = [`JavaScript allocated per read (collect, cache off, ${READS} reads ${GAP_MS} ms apart, ${ROUNDS} rounds; median [min-max])`];
  for (const [set, xs] of Object.entries(o.perRead)) lines.push(`  ${(set.includes('+') ? 'all four in one engine' : set).padEnd(28)} ${span(xs, kb)}`);
  lines.push(`after ${RSS_READS} reads of engine.stream() at ${RSS_GAP_MS} ms, Node's defaults (${o.rss.four.length} runs; median [min-max])`);
  const row = (what, xs, f) => lines.push(`  ${what.padEnd(46)} ${span(xs, f)}`);
  row('RSS, packages imported, no engine (reference)', o.rss.reference.map((r) => r.rss), mb);
  row('RSS, four families', o.rss.four.map((r) => r.rss), mb);
  row("  the library's own share (four - reference)", o.rss.four.map((r, i) => r.rss - o.rss.reference[i].rss), mb);
  row('RSS, four families, glibc mmap threshold pinned', o.rss.pinned.map((r) => r.rss), mb);
  row('V8 heap used / total, reference', o.rss.reference.map((r) => r.heapUsed), mb);
  lines[lines.length - 1] += ` / ${span(o.rss.reference.map((r) => r.heapTotal), mb)}`;
  row('V8 heap used / total, four families', o.rss.four.map((r) => r.heapUsed), mb);
  lines[lines.length - 1] += ` / ${span(o.rss.four.map((r) => r.heapTotal), mb)}`;
  return lines.join('\n');
}
