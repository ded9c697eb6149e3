// JS consumer of the ring buffer benchmark (run by ringbuf.mjs, pinned to one
// CPU): @bpfscope/native's RingBufferConsumer on rb_events of ringbuf.bpf.o,
// the same object and ring size as the C reference. Per record it adds the seq
// field to a checksum, without allocating. Same commands as c/rb-consumer.c:
// arm <tgid> <nr> -> armed; stream ... end -> JSON; drain -> drained <ns> <records>.
import { createInterface } from 'node:readline';
import { BpfObject, readStatsCounters } from '@bpfscope/native';

const [objectPath, batchArg] = process.argv.slice(2);
const obj = BpfObject.open(objectPath);
await obj.load();
obj.attach('rb_sys_enter');
const stats = obj.map('rb_stats');
const consumer = obj.ringBuffer('rb_events', { statsMap: 'rb_stats', batchSize: Number(batchArg) });
let delivered = 0;
let checksum = 0;
let lastNs = 0n;
let target = Infinity;
let reached = () => undefined;
consumer.onBatch((batch) => {
  const view = batch.view;
  for (let i = 0; i < batch.length; i++) checksum += view.getUint32(batch.offset(i), true);
  delivered += batch.length;
  lastNs = process.hrtime.bigint();
  if (delivered >= target) reached();
});
consumer.pause();

/** Resolves once `delivered` reaches the kernel's final events count (the producer has exited). */
function drained() {
  target = readStatsCounters(stats).events;
  if (delivered >= target) return Promise.resolve();
  return new Promise((resolve) => (reached = resolve));
}

let cpu0;
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [word, tgid, nr] = line.split(' ');
  if (word === 'arm') {
    const cfg = new Uint8Array(16);
    const view = new DataView(cfg.buffer);
    view.setUint32(0, Number(tgid), true);
    view.setUint32(4, Number(nr), true);
    view.setUint32(8, 1, true); // RB_TARGET_EVENTS
    obj.map('rb_filter').update(new Uint8Array(4), cfg);
    process.stdout.write('armed\n');
  } else if (word === 'stream') {
    cpu0 = process.cpuUsage();
    consumer.resume();
    process.stdout.write('streaming\n');
  } else if (word === 'end') {
    await drained();
    consumer.pause();
    const cpu = process.cpuUsage(cpu0);
    const k = readStatsCounters(stats);
    const s = consumer.stats();
    process.stdout.write(
      `${JSON.stringify({ delivered, dropped: k.drops, events: k.events, filterHits: k.filterHits, checksum, lastNs: String(lastNs), cpuUs: cpu.user + cpu.system, batches: s.batches, lost: s.lost, consumerDelivered: s.delivered, consumerDropped: s.kernelDropped })}\n`,
    );
  } else if (word === 'drain') {
    const before = delivered;
    const t0 = process.hrtime.bigint();
    consumer.resume();
    await drained();
    const ns = process.hrtime.bigint() - t0;
    consumer.pause();
    process.stdout.write(`drained ${ns} ${delivered - before}\n`);
  } else {
    break;
  }
}
obj.close();
