// The gpu plugin end to end with its real parts: the NVML reader on the stand-in
// libnvidia-ml.so.1, the DRM reader on a fixture tree, and the eBPF part's uprobes on the
// stand-in libcudart.so, all through an engine. What each part reports is proven in its own
// tests; this proves the wiring: the devices and the CUDA work reach the snapshot exactly.
import { createEngine, type Engine } from '@bpfscope/core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { buildCudartStandIn, startCaller, type CudaCalls, type CudartStandIn } from '../test/cudart-standin.js';
import { sysRootOf } from '../test/fixture-trees.js';
import { nvmlStandIn } from '../test/nvml-standin.js';
import { gpu } from './plugin.js';

const CALLS: CudaCalls = { launches: 250, allocs: 9, allocSize: 8192, failedAllocs: 2, frees: 7, copySize: 1000, copiesByKind: [1, 4, 3, 2, 0], badKindCopies: 0 };

describeKernel('gpu plugin with its real parts (stand-in NVML and CUDA runtime)', () => {
  let standIn: CudartStandIn;
  let nvml: string;
  const engines: Engine[] = [];
  const engineWith = (mode: 'ebpf' | 'fallback', machine: string, nvmlLibrary: string): Engine => {
    const e = createEngine({ plugins: [gpu({ nvmlLibrary, cudaRuntimes: [standIn.library] })], config: { mode, sysRoot: sysRootOf(machine), cache: { enabled: false } } });
    engines.push(e);
    return e;
  };

  beforeAll(() => {
    standIn = buildCudartStandIn();
    nvml = nvmlStandIn();
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
  });
  afterAll(() => standIn?.remove());

  it('eBPF: the devices from NVML and the CUDA calls of a caller, exactly', async () => {
    const engine = engineWith('ebpf', 'no-drm', nvml);
    await engine.start();
    const caller = await startCaller(standIn, CALLS);
    await caller.go();
    const snap = await engine.collect();
    expect(snap.errors).toEqual([]);
    const r = snap.get('gpu');
    expect(r?.source).toBe('ebpf');
    expect(r?.data.fieldSources).toEqual({ devices: 'nvml' });
    expect(r?.data.devices.map((d) => [d.id, d.name, d.powerMilliwatts, d.memoryUsedBytes, d.source])).toEqual([
      ['nvml:0', 'Stand-in GPU Alpha', 123456, 5368709120, 'nvml'],
      ['nvml:1', 'Stand-in GPU Beta', 27500, 987654321, 'nvml'],
    ]);
    expect(r?.data.cuda.find((c) => c.pid === caller.pid)).toEqual({
      pid: caller.pid,
      comm: 'cudart-caller',
      kernelLaunches: 250,
      allocations: 9,
      allocatedBytes: 9 * 8192,
      frees: 7,
      copies: 10,
      copyBytes: { hostToDevice: 4000, deviceToHost: 3000, deviceToDevice: 2000, other: 1000 },
    });
    expect(r?.data.unavailable.cuda).toBeUndefined();
  });

  it('eBPF without NVML: the devices from DRM sysfs (RX 6800 fixture) beside the CUDA calls', async () => {
    const engine = engineWith('ebpf', 'amd-rx6800', '/nonexistent/libnvidia-ml.so.1');
    await engine.start();
    const caller = await startCaller(standIn, { ...CALLS, launches: 3 });
    await caller.go();
    const r = (await engine.collect()).get('gpu');
    expect(r?.source).toBe('ebpf');
    expect(r?.data.fieldSources).toEqual({ devices: 'sysfs' });
    expect(r?.data.devices.map((d) => [d.id, d.driver, d.utilizationPercent])).toEqual([['drm:card0', 'amdgpu', 37]]);
    expect(r?.data.cuda.find((c) => c.pid === caller.pid)?.kernelLaunches).toBe(3);
  });

  it('fallback: the devices from NVML; CUDA work unavailable with the reason, never zeros', async () => {
    const engine = engineWith('fallback', 'no-drm', nvml);
    await engine.start();
    const r = (await engine.collect()).get('gpu');
    expect(r?.source).toBe('nvml');
    expect(r?.data.devices.map((d) => d.id)).toEqual(['nvml:0', 'nvml:1']);
    expect(r?.data.cuda).toEqual([]);
    expect(r?.data.kernel).toBeNull();
    expect(r?.data.unavailable.cuda).toMatch(/eBPF/);
  });
});
