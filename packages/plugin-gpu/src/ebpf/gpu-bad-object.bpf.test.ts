// A bad object for the gpu eBPF part: a missing file, a foreign object, the gpu object
// without one of its programs. Each is a LoadFailed naming what is wrong, and nothing of
// the object stays loaded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../../test/real-kernel.js';
import { gpuKernel, loadedAfterRelease, startContext } from '../../test/kernel-part.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const GPU_PROGRAMS = ['gpu_launch', 'gpu_malloc', 'gpu_malloc_ret', 'gpu_free', 'gpu_memcpy', 'gpu_fence_init'];

async function startFails(objectPath: string): Promise<LoadFailed> {
  const k = gpuKernel({ objectPath, cudaRuntimes: [] });
  try {
    await k.start(startContext());
  } catch (e) {
    expect(e).toBeInstanceOf(LoadFailed);
    await expect(k.read(new AbortController().signal)).rejects.toMatchObject({ code: 'DATA_UNAVAILABLE' });
    return e as LoadFailed;
  }
  await k.close();
  throw new Error(`${objectPath} started`);
}

describeKernel('gpu eBPF part with a bad object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-obj-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file: LoadFailed naming the path, errno ENOENT', async () => {
    const e = await startFails('/nonexistent/gpu.bpf.o');
    expect(e).toMatchObject({ code: 'LOAD_FAILED', object: '/nonexistent/gpu.bpf.o', errno: 2 });
    expect(e.remedy).toBeTruthy();
  });

  it('a foreign object (the native uprobe fixture): LoadFailed naming the missing struct', async () => {
    const e = await startFails(join(ROOT, 'packages/native/test/fixtures/uprobe_count.bpf.o'));
    expect(e.message).toMatch(/has no struct gpu_cuda_proc/);
  });

  it('the gpu object without gpu_fence_sig (compiled here from bpf/gpu with it cut out): LoadFailed naming it, no gpu program left loaded', async () => {
    const source = readFileSync(join(ROOT, 'bpf/gpu/gpu.bpf.c'), 'utf8');
    const cut = source.indexOf('SEC("tp_btf/dma_fence_signaled")');
    expect(cut).toBeGreaterThan(0);
    writeFileSync(join(dir, 'gpu.bpf.c'), source.slice(0, cut));
    const out = join(dir, 'gpu.bpf.o');
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', '-D__TARGET_ARCH_x86', '-mcpu=v3', '-I', join(ROOT, 'bpf/include'), '-I', join(ROOT, 'bpf/gpu'), '-c', join(dir, 'gpu.bpf.c'), '-o', out]);
    expect(await loadedAfterRelease(GPU_PROGRAMS)).toEqual([]);
    const e = await startFails(out);
    expect(e.message).toBe(`loading ${out} failed: the object has no program gpu_fence_sig: it is not the gpu object of this version`);
    expect(e.details).toMatchObject({ missing: ['gpu_fence_sig'] });
    expect(await loadedAfterRelease(GPU_PROGRAMS)).toEqual([]);
  });
});
