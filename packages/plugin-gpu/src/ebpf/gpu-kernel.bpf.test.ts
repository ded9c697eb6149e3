// The gpu family's eBPF part against the real kernel. CUDA: the uprobes attach, by symbol
// name, to a stand-in libcudart.so that the test compiles, and count exactly what a
// caller linked against it does (test/stand-ins). dma_fence: this kernel has no fence
// producer a test can drive (CONFIG_SW_SYNC off, no DRM driver, no dma-buf exporter, no
// loadable modules), so the fence programs are checked loaded and attached, one
// raw-tracepoint link each, on their tracepoints; they count nothing here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../../test/real-kernel.js';
import { buildCudartStandIn, buildRuntimeWithoutMemcpy, startCaller, type CudaCalls, type CudartStandIn } from '../../test/cudart-standin.js';
import { gpuKernel, linksOf, loadedAfterRelease, startContext } from '../../test/kernel-part.js';
import type { CudaProcessWork } from '../records.js';
import type { GpuKernel } from './gpu-kernel.js';

const signal = (): AbortSignal => new AbortController().signal;
const PROGRAMS = ['gpu_launch', 'gpu_malloc', 'gpu_malloc_ret', 'gpu_free', 'gpu_memcpy', 'gpu_fence_init', 'gpu_fence_sig'];

/** What the part must report for a caller that made `c`. */
function expected(pid: number, c: CudaCalls): CudaProcessWork {
  const [h2h, h2d, d2h, d2d, dflt] = c.copiesByKind.map((n) => n * c.copySize);
  return {
    pid,
    comm: 'cudart-caller',
    kernelLaunches: c.launches,
    allocations: c.allocs, // the refused ones are not allocations
    allocatedBytes: c.allocs * c.allocSize,
    frees: c.frees,
    copies: c.copiesByKind.reduce((s, n) => s + n, 0) + c.badKindCopies,
    copyBytes: { hostToDevice: h2d!, deviceToHost: d2h!, deviceToDevice: d2d!, other: h2h! + dflt! },
  };
}

/** Uprobe runs for `c`: one per call, two per cudaMalloc (entry and return). */
const runs = (c: CudaCalls): number => c.launches + 2 * (c.allocs + c.failedAllocs) + c.frees + c.copiesByKind.reduce((s, n) => s + n, 0) + c.badKindCopies;

const A: CudaCalls = { launches: 1000, allocs: 37, allocSize: 4096, failedAllocs: 5, frees: 30, copySize: 65536, copiesByKind: [3, 11, 7, 2, 5], badKindCopies: 4 };
const B: CudaCalls = { launches: 17, allocs: 1, allocSize: 1 << 30, failedAllocs: 0, frees: 1, copySize: 100, copiesByKind: [0, 1, 0, 0, 0], badKindCopies: 0 };

describeKernel('gpu eBPF part: CUDA runtime uprobes and dma_fence tracepoints', () => {
  let standIn: CudartStandIn;
  const parts: GpuKernel[] = [];
  const dirs: string[] = [];
  const part = (...args: Parameters<typeof gpuKernel>): GpuKernel => {
    const p = gpuKernel(...args);
    parts.push(p);
    return p;
  };
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-'));
    dirs.push(d);
    return d;
  };

  beforeAll(() => {
    standIn = buildCudartStandIn();
  });
  afterAll(() => {
    standIn.remove();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const p of parts.splice(0)) await p.close();
  });

  it('counts exactly each process\'s launches, successful allocations and their bytes, frees, copies and bytes by kind; nothing for any other pid', async () => {
    const k = part({ cudaRuntimes: [standIn.library] });
    await k.start(startContext());
    expect(k.cudaRuntimes()).toEqual([standIn.library]);
    expect(linksOf(PROGRAMS)).toEqual([
      ['gpu_fence_init', 'raw_tracepoint', 'dma_fence_init'],
      ['gpu_fence_sig', 'raw_tracepoint', 'dma_fence_signaled'],
      ['gpu_free', 'perf_event', ''],
      ['gpu_launch', 'perf_event', ''],
      ['gpu_malloc', 'perf_event', ''],
      ['gpu_malloc_ret', 'perf_event', ''],
      ['gpu_memcpy', 'perf_event', ''],
    ]);
    const [a, b] = [await startCaller(standIn, A), await startCaller(standIn, B)];
    await Promise.all([a.go(), b.go()]);
    const r = await k.read(signal());
    // Nobody else maps the stand-in (it lives in this test's temp dir): exactly the two callers.
    expect(r.cuda).toEqual([expected(a.pid, A), expected(b.pid, B)].sort((x, y) => x.pid - y.pid));
    expect(r.unavailable).toEqual({});
    // No fence producer on this kernel (see the top of the file): no fence context, so the
    // programs' runs are the uprobes' alone.
    expect(r.fences).toEqual([]);
    expect(r.kernel).toEqual({ invocations: runs(A) + runs(B), drops: 0 });
    expect(k.detached()).toBeNull();
    // Both callers have exited: reported once, then their entries are gone.
    expect((await k.read(signal())).cuda).toEqual([]);
  });

  it('a living process\'s counts are kept from reading to reading (not drained, not doubled); after it exits, one last reading, then gone', async () => {
    const k = part({ cudaRuntimes: [standIn.library] });
    await k.start(startContext());
    const c = await startCaller(standIn, B);
    await c.callAndStay();
    expect((await k.read(signal())).cuda).toEqual([expected(c.pid, B)]);
    expect((await k.read(signal())).cuda).toEqual([expected(c.pid, B)]);
    await c.exit();
    expect((await k.read(signal())).cuda).toEqual([expected(c.pid, B)]);
    expect((await k.read(signal())).cuda).toEqual([]);
  });

  it('finds the runtime in a real dynamic linker cache (ldconfig -C) and through a toolkit directory, attaches once per file, and counts exactly', async () => {
    const d = tempDir();
    symlinkSync(standIn.library, join(standIn.dir, 'libcudart.so'));
    writeFileSync(join(d, 'ld.so.conf'), `${standIn.dir}\n`);
    execFileSync('ldconfig', ['-C', join(d, 'ld.so.cache'), '-f', join(d, 'ld.so.conf')]);
    expect(execFileSync('ldconfig', ['-C', join(d, 'ld.so.cache'), '-p'], { encoding: 'utf8' })).toContain(`libcudart.so.12 (libc6,x86-64) => ${standIn.library}`);
    // The same file again as a toolkit install: <root>/cuda-12.4/lib64 -> the stand-in's directory.
    mkdirSync(join(d, 'local/cuda-12.4'), { recursive: true });
    symlinkSync(standIn.dir, join(d, 'local/cuda-12.4/lib64'));
    const k = part({}, { runtimeSearch: { ldCache: join(d, 'ld.so.cache'), installRoot: join(d, 'local') } });
    await k.start(startContext());
    // libcudart.so, libcudart.so.12 and the toolkit's paths are one file: one set of uprobes
    // (two would count every call twice, which the exact counts below would show).
    expect(k.cudaRuntimes()).toHaveLength(1);
    expect([standIn.library, join(standIn.dir, 'libcudart.so')]).toContain(k.cudaRuntimes()[0]);
    const c = await startCaller(standIn, B);
    await c.go();
    expect((await k.read(signal())).cuda).toEqual([expected(c.pid, B)]);
  });

  it('no runtime found: cuda unavailable naming what was looked for; the fence programs still attach', async () => {
    const d = tempDir();
    const k = part({}, { runtimeSearch: { ldCache: join(d, 'no-cache'), installRoot: d } });
    await k.start(startContext());
    expect(k.cudaRuntimes()).toEqual([]);
    const r = await k.read(signal());
    expect(r.cuda).toEqual([]);
    expect(r.unavailable.cuda).toBe(
      `no CUDA runtime (libcudart.so) found; looked for libcudart.so* in the dynamic linker cache ${join(d, 'no-cache')} and ${d}/cuda*/{lib64,targets/x86_64-linux/lib}/libcudart.so*. ` +
        'Applications that link the runtime statically (nvcc\'s default, -cudart static) are not seen either',
    );
    expect(r.unavailable.fences).toBeUndefined();
    expect(linksOf(PROGRAMS).map((l) => l[0])).toEqual(['gpu_fence_init', 'gpu_fence_sig']);
  });

  it('a runtime lacking a symbol gets no uprobe at all (AttachFailed naming it); the others are counted', async () => {
    const broken = buildRuntimeWithoutMemcpy();
    try {
      const k = part({ cudaRuntimes: [broken.library, standIn.library] });
      await k.start(startContext());
      expect(k.cudaRuntimes()).toEqual([standIn.library]);
      // Five uprobes on the good runtime only: none left on the broken one.
      expect(linksOf(PROGRAMS).filter((l) => l[1] === 'perf_event')).toHaveLength(5);
      const c = await startCaller(standIn, A);
      await c.go();
      const r = await k.read(signal());
      expect(r.cuda).toEqual([expected(c.pid, A)]);
      expect(r.unavailable).toEqual({});

      // Only the broken one: the part starts (fences attach) and says why cuda is unavailable.
      const only = part({ cudaRuntimes: [broken.library] });
      await only.start(startContext());
      const u = (await only.read(signal())).unavailable.cuda;
      expect(u).toMatch(new RegExp(`^no CUDA runtime could be probed: ${broken.library}: attaching gpu_memcpy to uprobe:${broken.library}:cudaMemcpy failed`));
      expect(u).toContain(`${broken.library} has no function cudaMemcpy`);
    } finally {
      broken.remove();
    }
  });

  it('after close nothing of the part is loaded, and a closed part reads nothing', async () => {
    const k = part({ cudaRuntimes: [standIn.library] });
    await k.start(startContext());
    expect(linksOf(PROGRAMS).map((l) => l[0])).toEqual([...PROGRAMS].sort());
    await k.close();
    expect(linksOf(PROGRAMS)).toEqual([]);
    expect(await loadedAfterRelease(PROGRAMS)).toEqual([]);
    await expect(k.read(signal())).rejects.toMatchObject({ code: 'DATA_UNAVAILABLE' });
    await k.close(); // a second close does nothing
  });

  it('a start aborted before the load settles rejects with the abort reason and leaves nothing loaded', async () => {
    const k = part({ cudaRuntimes: [standIn.library] });
    const abort = new AbortController();
    const starting = k.start(startContext(abort.signal));
    abort.abort(new Error('init timeout'));
    await expect(starting).rejects.toThrow('init timeout');
    await k.close();
    await expect(k.read(signal())).rejects.toMatchObject({ code: 'DATA_UNAVAILABLE' });
    // The load settles later on a pool thread; what it made is closed when it does.
    expect(await loadedAfterRelease(PROGRAMS)).toEqual([]);
  });
});
