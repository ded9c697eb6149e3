// JS consumer of the events benchmark (run by events.mjs, pinned to one CPU): a small
// bench plugin whose eBPF source gives the records of rb_events of ringbuf.bpf.o (the
// same object, ring and producer as the C reference) as events, consumed through
// engine.events() (mode "events") or engine.eventBatches() (mode "batches").
// The producer puts its CLOCK_MONOTONIC time of each call in the record's seq field;
// the source decodes it as the event's `monotonicNs`, so the engine's delivery latency
// (engine.stats(): events.latencyUs) is measured on the same clock, exactly.
// Commands (as c/events-consumer.c): arm <tgid> <nr> -> armed; stream ... end -> JSON.
// Arguments: object, mode (events | batches), ring batch size, queue, warm-up calls (see warmUp).
import { readdirSync, readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { COLLECTOR, createEngine, createEventStream } from '@bpfscope/core';
import { BpfObject, readStatsCounters } from '@bpfscope/native';

const [objectPath, mode, ringBatch, queueArg, warmupArg = '0'] = process.argv.slice(2);
const obj = BpfObject.open(objectPath);
await obj.load();
obj.attach('rb_sys_enter');
const stats = obj.map('rb_stats');
/** The ring consumer of the open stream: its crossings, wake-ups and timed polls go into the report. */
let ring = null;
/** GC pauses of the run (perf_hooks 'gc' entries), ms. */
const gcPauses = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });

/** The bench family: one event { monotonicNs, tgid } per ring record. */
const source = {
  kind: 'ebpf',
  name: 'bench-ringbuf',
  async init() {},
  async read() {
    return {};
  },
  async close() {},
  events: (options) =>
    createEventStream({
      family: 'bench',
      queue: options.queue,
      signal: options.signal,
      start: async (push, fail) => {
        ring = obj.ringBuffer('rb_events', { statsMap: 'rb_stats', batchSize: Number(ringBatch) });
        ring.onError(fail);
        ring.onBatch((batch) => {
          const view = batch.view;
          for (let i = 0; i < batch.length; i++) {
            const at = batch.offset(i);
            push({ monotonicNs: view.getBigUint64(at, true), tgid: view.getUint32(at + 8, true) });
          }
        });
        return { stop: () => ring.close(), kernelDropped: () => readStatsCounters(stats).drops };
      },
    }),
};
const plugin = { name: 'bench', version: '0.0.0', register: (c) => c.register(COLLECTOR, { useValue: { family: 'bench', sources: [source] } }) };
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const engine = createEngine({ plugins: [plugin], config: { cache: { enabled: false } }, logger: silent });
await engine.start();

let stream = null;
let delivered = 0;
let tgids = 0;
let lastNs = 0n;
let consuming = null;
let cpu0;
let wait0;
let threads0;

/** Time the main thread waited on a run queue (runnable, not running), µs: /proc/self/schedstat's second field. */
const runDelayUs = () => Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1000;
/** CPU time of the main thread and of all the process's threads, µs (/proc/self/task/<tid>/schedstat). */
const threadCpuUs = () => {
  let all = 0;
  let main = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    all += ns;
    if (Number(tid) === process.pid) main = ns;
  }
  return { main: main / 1000, all: all / 1000 };
};

async function consumeEvents() {
  for await (const e of stream) {
    tgids += e.tgid;
    // A clock reading per event would cost as much as the path measured: every 256th, and the last one (see end).
    if ((++delivered & 255) === 0) lastNs = process.hrtime.bigint();
  }
}

async function consumeBatches() {
  for await (const batch of stream) {
    for (let i = 0; i < batch.length; i++) tgids += batch[i].tgid;
    delivered += batch.length;
    lastNs = process.hrtime.bigint();
  }
}

/** Points rb_filter at a process's getppid calls (tgid 0: nothing is sent). */
function setFilter(tgid, nr) {
  const cfg = new Uint8Array(16);
  const view = new DataView(cfg.buffer);
  view.setUint32(0, tgid, true);
  view.setUint32(4, nr, true);
  view.setUint32(8, 1, true); // RB_TARGET_EVENTS
  obj.map('rb_filter').update(new Uint8Array(4), cfg);
}

/**
 * Warm-up (not measured): this process's own `warmup` getppid calls (process.ppid makes one
 * each time), in bursts of 1,000, consumed in the same mode through another engine, so that
 * the measured run meets optimized code, as a long-running consumer does. Its records and
 * counts stay out of the measured run (the stats map's counters are taken as a base after it).
 */
async function warmUp(warmup) {
  const warm = createEngine({ plugins: [plugin], config: { cache: { enabled: false } }, logger: silent });
  await warm.start();
  const ac = new AbortController();
  const options = { queue: Number(queueArg), signal: ac.signal };
  const s = mode === 'batches' ? warm.eventBatches('bench', options) : warm.events('bench', options);
  await s.ready;
  const before = readStatsCounters(stats);
  let n = 0;
  const done = (async () => {
    for await (const x of s) {
      n += mode === 'batches' ? x.length : 1;
      if (n >= warmup) break;
    }
  })();
  setFilter(process.pid, 110); // SYS_getppid on x86_64, the only architecture of the native package
  let sum = 0;
  for (let i = 0; i < warmup; i += 1000) {
    for (let j = 0; j < 1000; j++) sum += process.ppid;
    await new Promise((r) => setImmediate(r));
  }
  setFilter(0, 0);
  // Every call was delivered, or dropped by the kernel (then the loop will not reach warmup).
  while (n + readStatsCounters(stats).drops - before.drops < warmup) await new Promise((r) => setTimeout(r, 1));
  ac.abort();
  await done;
  await warm.close();
  return sum;
}
if (Number(warmupArg) > 0) await warmUp(Number(warmupArg));
/** The stats map's counters after the warm-up: the measured run's are counted from here. */
const base = readStatsCounters(stats);

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [word, tgid, nr] = line.split(' ');
  if (word === 'arm') {
    setFilter(Number(tgid), Number(nr));
    process.stdout.write('armed\n');
  } else if (word === 'stream') {
    const options = { queue: Number(queueArg) };
    stream = mode === 'batches' ? engine.eventBatches('bench', options) : engine.events('bench', options);
    await stream.ready;
    cpu0 = process.cpuUsage();
    wait0 = runDelayUs();
    threads0 = threadCpuUs();
    gcPauses.length = 0;
    consuming = mode === 'batches' ? consumeBatches() : consumeEvents();
    process.stdout.write('streaming\n');
  } else if (word === 'end') {
    // The producer has exited: the kernel's count of what it sent is final. Wait until
    // every sent record was delivered or dropped from the queue (polled each ms).
    const sent = readStatsCounters(stats).events - base.events;
    for (;;) {
      const c = stream.counts();
      if (c.delivered + c.droppedQueue >= sent) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    const cpu = process.cpuUsage(cpu0);
    const waited = runDelayUs() - wait0;
    const threads = threadCpuUs();
    const k = readStatsCounters(stats);
    const e = engine.stats().collectors[0].events;
    const r = ring.stats();
    await stream.return();
    await consuming;
    process.stdout.write(
      `${JSON.stringify({
        delivered,
        droppedKernel: k.drops - base.drops,
        droppedQueue: e.droppedQueue,
        sent: k.events - base.events,
        filterHits: k.filterHits - base.filterHits,
        lastNs: String(lastNs),
        cpuUs: cpu.user + cpu.system,
        runDelayUs: Math.round(waited),
        mainCpuUs: Math.round(threads.main - threads0.main),
        otherThreadsCpuUs: Math.round(threads.all - threads0.all - (threads.main - threads0.main)),
        p50Us: e.latencyUs.p50,
        p95Us: e.latencyUs.p95,
        p99Us: e.latencyUs.p99,
        maxUs: e.latencyUs.max,
        engineDelivered: e.delivered,
        queued: e.queued,
        batches: e.batching.batches,
        meanBatch: e.batching.meanSize,
        byTrigger: e.batching.byTrigger,
        tgids,
        crossings: r.batches,
        wakeups: r.wakeups,
        timedPolls: r.timedPolls,
        gcCount: gcPauses.length,
        gcMs: gcPauses.reduce((a, d) => a + d, 0),
        gcMaxMs: Math.max(0, ...gcPauses),
      })}\n`,
    );
  } else {
    break;
  }
}
await engine.close();
obj.close();
