import { readFileSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { bpfFdCount, fixture, PACKAGE_DIR, runChild } from '../test/helpers.js';
import { BpfObject, isNativeAvailable } from './index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describeKernel('native lifecycle', () => {
  it('a child that never closes its objects exits 0 (env cleanup frees them)', async () => {
    const child = await runChild('unclosed-objects.ts');
    expect(child.stderr).not.toMatch(/Segmentation|Aborted|FATAL/);
    expect(child.stdout).toContain('ready tp_btf/sched_switch');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  });

  it('a child that exits while a load runs on a pool thread exits 0', async () => {
    const child = await runChild('unclosed-objects.ts', { BPFSCOPE_CHILD_MODE: 'exit-during-load' });
    expect(child.stdout).toContain('ready');
    expect({ code: child.code, signal: child.signal }).toEqual({ code: 0, signal: null });
  });

  it('with PREBUILDS_ONLY=1 a child loads the shipped prebuild from prebuilds/linux-x64', async () => {
    const child = await runChild('prebuild-only.ts', { PREBUILDS_ONLY: '1' });
    expect(child.code).toBe(0);
    const result = JSON.parse(child.stdout) as { ok: boolean; path?: string; libbpf?: string; message?: string };
    expect(result).toMatchObject({ ok: true, libbpf: expect.stringMatching(/^\d+\.\d+$/) });
    expect(result.path).toBe(`${PACKAGE_DIR}prebuilds/linux-x64/@bpfscope+native.glibc.node`);
    // The prebuild is the one its manifest describes.
    const manifest = JSON.parse(readFileSync(`${PACKAGE_DIR}prebuilds/linux-x64/manifest.json`, 'utf8')) as { artifact: string };
    expect(manifest.artifact).toBe('packages/native/prebuilds/linux-x64/@bpfscope+native.glibc.node');
  });

  // Plain JS on the raw binding: a worker thread has no TypeScript loader.
  const WORKER = `
    const { parentPort, workerData } = require('node:worker_threads');
    const binding = require(workerData.addon);
    const obj = new binding.BpfObject(require('node:fs').readFileSync(workerData.object), 'maps');
    globalThis.keep = obj;
    obj.load().then(() => {
      obj.attach('test_switch');
      parentPort.postMessage('attached');
      if (workerData.stay) setInterval(() => {}, 1000);
    });`;

  async function runWorker(stay: boolean): Promise<{ baseline: number; whileAttached: number | undefined; after: number }> {
    const native = isNativeAvailable();
    if (!native.ok) throw native.error;
    const baseline = bpfFdCount();
    const worker = new Worker(WORKER, { eval: true, workerData: { addon: native.path, object: fixture('maps.bpf.o'), stay } });
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    let whileAttached: number | undefined;
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => {
        whileAttached = stay ? bpfFdCount() : undefined;
        resolve();
      });
      worker.once('error', reject);
    });
    if (stay) await worker.terminate();
    await exited;
    return { baseline, whileAttached, after: bpfFdCount() };
  }

  it('a worker thread terminated with an attached, unclosed object gives every BPF fd back', async () => {
    const { baseline, whileAttached, after } = await runWorker(true);
    expect(whileAttached).toBeGreaterThan(baseline);
    expect(after).toBe(baseline);
  });

  it('a worker thread that ends on its own with an unclosed object gives every BPF fd back', async () => {
    const { baseline, after } = await runWorker(false);
    expect(after).toBe(baseline);
  });

  it('objects that are never closed are freed when garbage-collected', async () => {
    const baseline = bpfFdCount();
    await (async () => {
      for (let i = 0; i < 3; i++) {
        const obj = BpfObject.open(fixture('maps.bpf.o'));
        await obj.load();
        obj.map('test_hash'); // a map wrapper holds the object too
      }
    })();
    expect(bpfFdCount()).toBeGreaterThan(baseline);
    for (let i = 0; i < 50 && bpfFdCount() > baseline; i++) {
      gc();
      await tick();
    }
    expect(bpfFdCount()).toBe(baseline);
  });
});
