// Lifecycle of the newer native pieces: log sinks (thread-safe functions),
// streamed batch reads, iterator reads, pinned maps and stats handles, when a
// worker thread is terminated or a process exits with them in flight.
import { existsSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { bpfFdCount, fixture, runChild } from '../test/helpers.js';
import { bpffsTestDir } from '../test/workload.js';
import { BpfObject, isNativeAvailable, setLibbpfLogger } from './index.js';

// Plain JS on the raw binding: a worker thread has no TypeScript loader.
const WORKER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const fs = require('node:fs');
  const binding = require(workerData.addon);
  binding.setLibbpfLogSink(() => {}, 2);
  const stats = binding.enableRunStats();
  const pinned = binding.openPinnedMap(workerData.pin);
  const obj = new binding.BpfObject(fs.readFileSync(workerData.object), 'iter');
  globalThis.keep = [stats, pinned, obj];
  obj.load().then(() => {
    const link = obj.attach('iter_task');
    link.readIterator();
    pinned.lookupBatchStream(16, () => true);
    pinned.lookupBatchStream(16, () => true, new Uint8Array(64));
    pinned.lookupBatch(new Uint8Array(64));
    parentPort.postMessage('busy');
    setInterval(() => {}, 1000);
  });`;

describeKernel('native lifecycle of sinks, streams, iterators and pins', () => {
  let dir: ReturnType<typeof bpffsTestDir>;
  beforeAll(() => {
    dir = bpffsTestDir();
  });
  afterAll(() => dir.remove());

  it('a worker terminated with a log sink, a stats handle, a pinned map, an iterator read, streams and a read into a buffer in flight gives every BPF fd back, and logging on the main thread still works', async () => {
    const native = isNativeAvailable();
    if (!native.ok) throw native.error;
    const owner = BpfObject.open(fixture('maps.bpf.o'));
    await owner.load();
    const map = owner.map('test_config');
    map.pin(`${dir.path}/cfg`);
    const baseline = bpfFdCount();
    const worker = new Worker(WORKER, { eval: true, workerData: { addon: native.path, object: fixture('iter_task.bpf.o'), pin: `${dir.path}/cfg` } });
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    expect(bpfFdCount()).toBeGreaterThan(baseline);
    await worker.terminate();
    await exited;
    for (let i = 0; i < 100 && bpfFdCount() > baseline; i++) await tick();
    expect(bpfFdCount()).toBe(baseline);

    // The dead worker's sink is gone; this thread's own sink gets messages.
    const lines: string[] = [];
    setLibbpfLogger({ warn: (m) => lines.push(m), info: (m) => lines.push(m), debug: (m) => lines.push(m) }, 'debug');
    try {
      const obj = BpfObject.open(fixture('iter_task.bpf.o'));
      await obj.load();
      obj.close();
      for (let i = 0; i < 1000 && lines.length === 0; i++) await tick();
      expect(lines.length).toBeGreaterThan(0);
    } finally {
      setLibbpfLogger(null);
      map.unpin();
      owner.close();
    }
  });

  it('a process that exits with streams between chunks, a read into a buffer, an iterator read, queued log messages, a stats handle and a pinned map open exits 0', async () => {
    const child = await runChild('inflight-extras.ts', { BPFSCOPE_PIN_DIR: dir.path });
    expect(child.stderr).not.toMatch(/Segmentation|Aborted|FATAL/);
    expect(child.stdout).toContain('ready true');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
    expect(existsSync(`${dir.path}/hash`)).toBe(true); // a pin outlives its process, as documented
  });
});
