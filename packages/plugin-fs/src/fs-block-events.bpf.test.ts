// Slow-io events with the threshold at 0 and the devices filter on a loop device of the
// test's own: over a window in which dd writes W and reads R blocks with O_DIRECT on the raw
// device, the stream gets exactly one event per request /sys/block/loopX/stat counts (reads,
// writes, discards and flushes), each of that device, and the write events' bytes add up to
// what dd wrote. The stream is drained up to the kernel's own count of records it sent, so no
// assumption is made about how soon events arrive.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type EventStream, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fsEbpfSource } from '../test/ebpf-source.js';
import { collect, until } from '../test/drain.js';
import { blockStat, createLoop, dd, type LoopDevice } from '../test/loop-device.js';
import type { FsEbpfSource } from './ebpf/fs-ebpf-source.js';
import type { FsEvent, FsSlowIoEvent } from './records-events.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };

describeKernel('fs eBPF source: slow-io events at threshold 0, one per request of the filtered device', () => {
  const W = 48;
  const R = 20;
  const BS = 64 * 1024;
  let loop: LoopDevice | null = null;
  let source: FsEbpfSource | null = null;
  const stop = new AbortController();
  let stream: EventStream<FsEvent>;
  let events: FsEvent[] = [];

  /** Waits until the stream has received every record the kernel sent since the source started (none before the stream opened: no stream, no event). */
  const drained = async (): Promise<void> => {
    const sent = (await source!.read(read)).kernel!.events;
    await until(() => events.length, () => sent);
  };

  beforeAll(async () => {
    loop = createLoop(16, false);
    source = fsEbpfSource({ slowIoThresholdUs: 0 });
    await source.init(context);
    expect(await source.pushdown({ devices: [loop.dev] })).toEqual({ pushedDown: ['devices'], notPushed: [] });
    stream = source.events({ signal: stop.signal, queue: 1 << 16 }) as EventStream<FsEvent>;
    await stream.ready;
    events = collect(stream);
  });
  afterAll(async () => {
    stop.abort();
    await source?.close();
    loop?.remove();
  });

  it('sends one event per request the kernel counts for the device, with its bytes', async () => {
    const dev = loop!;
    await drained();
    const first = events.length;
    const before = blockStat(dev.name);
    const t0 = Date.now();
    await dd(['if=/dev/zero', `of=${dev.path}`, `bs=${BS}`, `count=${W}`, 'oflag=direct']);
    await dd([`if=${dev.path}`, 'of=/dev/null', `bs=${BS}`, `count=${R}`, 'iflag=direct']);
    const after = blockStat(dev.name);
    const t1 = Date.now();
    await drained();
    const m = await source!.read(read);
    expect(m.kernel!.drops).toBe(0);
    const window = events.slice(first) as FsSlowIoEvent[];
    const of = (op: string): FsSlowIoEvent[] => window.filter((e) => e.operation === op);
    expect({
      events: window.length,
      reads: of('read').length,
      writes: of('write').length,
      writeBytes: of('write').reduce((s, e) => s + e.bytes, 0),
      readBytes: of('read').reduce((s, e) => s + e.bytes, 0),
      devices: [...new Set(window.map((e) => `${e.dev} ${e.device}`))],
    }).toEqual({
      events: after.reads + after.writes + after.discards + after.flushes - (before.reads + before.writes + before.discards + before.flushes),
      reads: after.reads - before.reads,
      writes: after.writes - before.writes,
      writeBytes: W * BS,
      readBytes: (after.sectorsRead - before.sectorsRead) * 512,
      devices: [`${dev.dev} ${dev.name}`],
    });
    expect(window.every((e) => e.type === 'slow-io' && e.latencyUs > 0 && e.weight === 1)).toBe(true);
    // Kernel time stamps turned into wall time: within the window (1 ms for Date.now()'s rounding).
    expect(window.filter((e) => e.time < t0 - 1 || e.time > t1 + 1)).toEqual([]);
    expect(m.kernel!.delivered).toBe(events.length);
  });

  it('keeps each engine to its own threshold on the shared object: one at an hour gets none of the requests the other gets', async () => {
    const dev = loop!;
    const slow = fsEbpfSource({ slowIoThresholdUs: 3_600_000_000 });
    const stopSlow = new AbortController();
    try {
      await slow.init(context);
      const slowStream = slow.events({ signal: stopSlow.signal, queue: 1 << 16 }) as EventStream<FsEvent>;
      await slowStream.ready;
      const slowEvents = collect(slowStream);
      await drained();
      const first = events.length;
      const before = blockStat(dev.name);
      await dd(['if=/dev/zero', `of=${dev.path}`, `bs=${BS}`, `count=${W}`, 'oflag=direct']);
      const after = blockStat(dev.name);
      await drained();
      // One consumer serves both engines' subscriptions of the shared ring and hands each batch
      // to both: the slow engine's part has seen every record the other stream got.
      expect(events.length - first).toBe(after.writes - before.writes);
      expect(after.writes - before.writes).toBeGreaterThan(0);
      expect({ slowEvents: slowEvents.length, slowDelivered: slowStream.counts().delivered, slowQueued: slowStream.counts().queued }).toEqual({ slowEvents: 0, slowDelivered: 0, slowQueued: 0 });
    } finally {
      stopSlow.abort();
      await slow.close();
    }
  });
});
