// BPF iterators against the kernel, with iter_task.bpf.o (bpf/test/iter_task.bpf.c):
// iter/task compared with /proc, iter/bpf_map with the maps this test loads.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AttachFailed, Closed, EventProcessingFailed } from '@bpfscope/core';
import { listProc as readProc, unreachableInit } from '../../../test/proc-list.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { BpfObject, decodeRecords, type DecodedRecord } from './index.js';

describeKernel('BPF iterators (iter_task.bpf.o)', () => {
  let obj: BpfObject;

  beforeAll(async () => {
    obj = BpfObject.open(fixture('iter_task.bpf.o'));
    await obj.load();
  });
  afterAll(() => obj.close());

  it('iter/task lists every process that /proc lists before and after, with the same parent and command', async () => {
    const before = readProc();
    const threadsBefore = readdirSync('/proc/self/task');
    const records = await obj.readIterator('iter_task', { recordLayout: 'iter_task_rec' });
    const threadsAfter = new Set(readdirSync('/proc/self/task'));
    const after = readProc();

    const leaders = new Map<number, DecodedRecord>();
    for (const r of records) if (r.pid === r.tgid) leaders.set(r.tgid as number, r);
    let compared = 0;
    const skip = unreachableInit();
    for (const [pid, b] of before) {
      if (skip.has(pid)) continue;
      const a = after.get(pid);
      // Present in both readings and unchanged in between (not a reused pid, not renamed, not reparented).
      if (!a || a.starttime !== b.starttime || a.comm !== b.comm || a.ppid !== b.ppid) continue;
      const r = leaders.get(pid);
      expect(r, `pid ${pid} (${a.comm}) is missing from the iterator output`).toBeDefined();
      // /proc names kernel threads by their full kthread name, workers with
      // their workqueue appended ("kworker/0:0H-events_highpri"): task->comm
      // is the start of it. Everything else matches exactly.
      const comm = String(r?.comm);
      const procComm = a.kthread && comm.length > 0 && a.comm.startsWith(comm) ? comm : a.comm;
      expect({ pid, ppid: r?.ppid, comm }).toEqual({ pid, ppid: a.ppid, comm: procComm });
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
    // Threads are tasks too: every thread of this process is there with this tgid.
    const tids = new Set(records.filter((r) => r.tgid === process.pid).map((r) => r.pid));
    const stable = threadsBefore.filter((tid) => threadsAfter.has(tid));
    expect(stable.length).toBeGreaterThan(1);
    for (const tid of stable) expect(tids.has(Number(tid)), `thread ${tid}`).toBe(true);
    const self = leaders.get(process.pid);
    expect(self?.ppid).toBe(process.ppid);
    expect(typeof self?.utime === 'bigint' && typeof self.start_time === 'bigint').toBe(true);
  });

  it('returns the raw bytes without a layout: a whole number of records, decodable by the same layout', async () => {
    const layout = obj.structLayout('iter_task_rec');
    expect(layout.size).toBe(56);
    expect(Object.keys(layout.fields)).toEqual(['pid', 'tgid', 'ppid', 'state', 'utime', 'stime', 'start_time', 'comm']);
    const bytes = await obj.readIterator('iter_task');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length % layout.size).toBe(0);
    expect(bytes.length / layout.size).toBeGreaterThan(10);
  });

  it('iter/bpf_map lists the maps of a loaded object with their ids, names and sizes', async () => {
    const other = BpfObject.open(fixture('map_types.bpf.o'));
    try {
      await other.load();
      const records = await obj.readIterator('iter_bpf_map', { recordLayout: 'iter_map_rec', decode: { u64: 'number' } });
      const byId = new Map(records.map((r) => [r.id, r]));
      const maps = other.maps();
      expect(maps.length).toBeGreaterThan(5);
      for (const m of maps) {
        expect(byId.get(m.id), `map ${m.name} (id ${m.id})`).toMatchObject({
          name: m.name.slice(0, 15),
          key_size: m.keySize,
          value_size: m.valueSize,
          max_entries: m.maxEntries,
        });
      }
    } finally {
      other.close();
    }
  });

  it('refuses a program that is not an iterator, a layout that does not divide the output, and reads after close', async () => {
    const maps = BpfObject.open(fixture('maps.bpf.o'));
    await maps.load();
    const notIter: unknown = await maps.readIterator('test_switch').catch((e: unknown) => e);
    expect(notIter).toBeInstanceOf(AttachFailed);
    expect((notIter as AttachFailed).message).toMatch(/needs an iterator program/);
    maps.close();
    const bytes = await obj.readIterator('iter_task');
    expect(() => decodeRecords(bytes.subarray(0, bytes.length - 1), obj.structLayout('iter_task_rec'))).toThrow(EventProcessingFailed);
    expect(() => obj.structLayout('no_such_struct')).toThrow(/has no struct no_such_struct/);
    const closed = BpfObject.open(fixture('iter_task.bpf.o'));
    await closed.load();
    closed.close();
    const after: unknown = await closed.readIterator('iter_task').catch((e: unknown) => e);
    expect(after).toBeInstanceOf(Closed);
  });

  it('many reads at once run off the JavaScript thread and each gets the whole output', async () => {
    let turns = 0;
    let reading = true;
    const spin = (): void => {
      turns++;
      if (reading) setImmediate(spin);
    };
    setImmediate(spin);
    const reads = await Promise.all(Array.from({ length: 6 }, () => obj.readIterator('iter_task', { recordLayout: 'iter_task_rec' })));
    reading = false;
    for (const r of reads) {
      expect(r.some((t) => t.pid === process.pid)).toBe(true);
      expect(r.filter((t) => t.pid === t.tgid).length).toBeGreaterThan(10);
    }
    expect(turns).toBeGreaterThan(0); // the event loop kept turning while the kernel wrote
  });
});
