import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { bpfFdCount, fixture } from '../test/helpers.js';
import { BpfObject, isNativeAvailable } from './index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Polls until this process holds `baseline` BPF fds again (GC-driven frees and pool jobs finish on their own time). */
async function settle(baseline: number, collect = false): Promise<number> {
  for (let i = 0; i < 200 && bpfFdCount() !== baseline; i++) {
    if (collect) gc();
    await (collect ? tick() : sleep(10));
  }
  return bpfFdCount();
}

// Plain JS on the raw binding: a worker thread has no TypeScript loader. It
// loads and attaches one object, then starts LOADS more loads (more than the
// libuv pool has threads, so some run and some wait) and reports before any
// of them can finish; the parent terminates it right then. Each load that
// settles in the worker counts itself in a shared counter.
const LOADS = 8;
const WORKER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const binding = require(workerData.addon);
  const image = require('node:fs').readFileSync(workerData.object);
  const first = new binding.BpfObject(image, 'maps');
  first.load().then(() => {
    first.attach('test_switch');
    globalThis.keep = [first];
    for (let i = 0; i < ${LOADS}; i++) {
      const obj = new binding.BpfObject(image, 'maps' + i);
      const count = () => Atomics.add(workerData.settled, 0, 1);
      globalThis.keep.push(obj, obj.load().then(count, count));
    }
    parentPort.postMessage('loading');
  });`;

describeKernel('native lifecycle: work in flight', () => {
  it('a worker terminated while loads run on the pool: no crash, and every BPF fd comes back', async () => {
    const native = isNativeAvailable();
    if (!native.ok) throw native.error;
    const baseline = bpfFdCount();
    for (let round = 0; round < 3; round++) {
      const settled = new Int32Array(new SharedArrayBuffer(4));
      const worker = new Worker(WORKER, { eval: true, workerData: { addon: native.path, object: fixture('maps.bpf.o'), settled } });
      const exited = new Promise<number>((resolve, reject) => {
        worker.once('exit', resolve);
        worker.once('error', reject);
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      expect(bpfFdCount()).toBeGreaterThan(baseline); // the attached object at least
      await worker.terminate();
      expect(await exited).toBe(1); // terminated, not crashed
      // The premise: loads were still running or queued when the worker went away.
      expect(Atomics.load(settled, 0)).toBeLessThan(LOADS);
      expect(await settle(baseline)).toBe(baseline);
    }
    // The main thread's addon instance still works afterwards.
    const obj = BpfObject.open(fixture('maps.bpf.o'));
    await obj.load();
    obj.close();
    expect(bpfFdCount()).toBe(baseline);
  });

  it('objects dropped with attached links, or while their load runs, are freed by GC', async () => {
    const baseline = bpfFdCount();
    const loads: Array<Promise<void>> = [];
    await (async () => {
      for (let i = 0; i < 2; i++) {
        const obj = BpfObject.open(fixture('maps.bpf.o'));
        await obj.load();
        obj.attach('test_switch'); // the link is dropped too
      }
      for (let i = 0; i < 2; i++) loads.push(BpfObject.open(fixture('maps.bpf.o')).load());
    })();
    expect(bpfFdCount()).toBeGreaterThan(baseline);
    // The pending loads keep their objects alive until they settle; then GC frees them.
    await Promise.all(loads);
    expect(await settle(baseline, true)).toBe(baseline);
  });
});
