// One measurement of the "alloc" bench section, in a process of its own (Node's defaults,
// no flags) so that its heap and RSS are the library's alone. Prints one JSON line.
//   perread <families,...> <reads> <rounds> <gapMs>
//       KB allocated per read: V8's sampling heap profiler, counting objects a GC has
//       already collected too, over <reads> collects per round (cache off), per round
//   rss <families,...|none> <reads> <gapMs> [pin]
//       RSS and V8 heap after <reads> reads of engine.stream() at <gapMs>; with `none`,
//       the same process with every package imported and no engine, idle as long; with
//       `pin`, after pinMallocMmapThreshold() (what the bpfscope command does)
import { Session } from 'node:inspector/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const [mode, familyList, ...args] = process.argv.slice(2);
const families = familyList === 'none' ? [] : familyList.split(',');
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const [core, c, m, p, s] = await Promise.all([
  import('@bpfscope/core'), import('@bpfscope/plugin-cpu'), import('@bpfscope/plugin-mem'),
  import('@bpfscope/plugin-proc'), import('@bpfscope/plugin-syscall'),
]);
const factories = { cpu: c.cpu, mem: m.mem, proc: p.proc, syscall: s.syscall };
const engine = (cache) => core.createEngine({
  plugins: families.map((f) => factories[f]()),
  config: { mode: 'ebpf', cache: { enabled: cache }, families: Object.fromEntries(families.map((f) => [f, { mode: 'ebpf' }])) },
  logger: silent,
});

/** Bytes of every sample in a sampling heap profile. */
const sampled = (node) => node.selfSize + node.children.reduce((sum, ch) => sum + sampled(ch), 0);

if (mode === 'perread') {
  const [reads, rounds, gapMs] = args.map(Number);
  const e = engine(false);
  await e.start();
  for (let i = 0; i < 5; i++) await e.collect(); // warm-up: first readings, compiled code
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  const kbPerRead = [];
  for (let r = 0; r < rounds; r++) {
    await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    for (let i = 0; i < reads; i++) {
      await sleep(gapMs);
      await e.collect();
    }
    const { profile } = await session.post('HeapProfiler.stopSampling');
    kbPerRead.push(sampled(profile.head) / reads / 1024);
  }
  session.disconnect();
  await e.close();
  print({ families, kbPerRead });
} else if (mode === 'rss') {
  const [reads, gapMs] = args.slice(0, 2).map(Number);
  if (args[2] === 'pin') (await import('@bpfscope/native')).pinMallocMmapThreshold();
  if (families.length === 0) {
    await sleep(reads * gapMs);
  } else {
    const e = engine(true);
    await e.start();
    let n = 0;
    for await (const _ of e.stream({ intervalMs: gapMs })) if (++n >= reads) break;
    await e.close();
  }
  const u = process.memoryUsage();
  print({ families, rss: u.rss, heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external });
} else {
  throw new Error(`alloc-child: unknown mode ${mode}`);
}
