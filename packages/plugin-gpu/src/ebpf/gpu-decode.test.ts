// The decoders against the layouts in the shipped object's BTF (no kernel needed): records
// written at the offsets BTF gives decode to the values written. And the pure helpers of
// the part: kallsyms lookup, the linker cache scan, the one-path-per-file rule.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventProcessingFailed } from '@bpfscope/core';
import { readStructLayouts, type MapBatch } from '@bpfscope/native';
import { describe, expect, it } from 'vitest';
import { GPU_OBJECT_PATH } from '../object-path.js';
import { cachedRuntimePaths, distinctFiles } from './cuda-runtimes.js';
import { parseKallsyms } from './fence-ops-names.js';
import { decodeCudaProcs, decodeFenceContexts, gpuLayouts } from './gpu-decode.js';

const layouts = gpuLayouts(readStructLayouts(readFileSync(GPU_OBJECT_PATH), 'gpu.bpf.o'));

function batch(keys: bigint[], keySize: 4 | 8, size: number, fill: (v: DataView, at: number, i: number) => void): MapBatch {
  const k = new Uint8Array(keys.length * keySize);
  const v = new Uint8Array(keys.length * size);
  const kv = new DataView(k.buffer);
  const vv = new DataView(v.buffer);
  keys.forEach((key, i) => {
    if (keySize === 4) kv.setUint32(i * 4, Number(key), true);
    else kv.setBigUint64(i * 8, key, true);
    fill(vv, i * size, i);
  });
  return { count: keys.length, keys: k, values: v, method: 'batch', spilled: false };
}

describe('gpu kernel records', () => {
  it('decode a process: counters, copy bytes by cudaMemcpyKind (HostToHost and Default as other), comm up to its NUL; ordered by pid', () => {
    const f = layouts.proc.fields;
    const b = batch([4242n, 17n], 4, layouts.proc.size, (v, at, i) => {
      v.setBigUint64(at + f.launches!.offset, i === 0 ? 2n ** 40n + 3n : 1n, true);
      v.setBigUint64(at + f.allocs!.offset, 5n, true);
      v.setBigUint64(at + f.alloc_bytes!.offset, 5n * 4096n, true);
      v.setBigUint64(at + f.frees!.offset, 4n, true);
      v.setBigUint64(at + f.copies!.offset, 9n, true);
      [10n, 20n, 30n, 40n, 50n].forEach((n, kind) => v.setBigUint64(at + f.copy_bytes!.offset + 8 * kind, n, true));
      new Uint8Array(v.buffer).set(new TextEncoder().encode(i === 0 ? 'trainer\0junk' : 'fifteen-chars-x'), at + f.comm!.offset);
    });
    const copyBytes = { hostToDevice: 20, deviceToHost: 30, deviceToDevice: 40, other: 60 };
    const common = { allocations: 5, allocatedBytes: 20480, frees: 4, copies: 9, copyBytes };
    expect(decodeCudaProcs(b, layouts.proc)).toEqual([
      { pid: 17, comm: 'fifteen-chars-x', kernelLaunches: 1, ...common },
      { pid: 4242, comm: 'trainer', kernelLaunches: 2 ** 40 + 3, ...common },
    ]);
  });

  it('decode a fence context: u64 key, ops address, histogram cut after its last non-empty slot', () => {
    const f = layouts.fence.fields;
    const b = batch([2n ** 33n + 1n, 5n], 8, layouts.fence.size, (v, at, i) => {
      v.setBigUint64(at + f.ops!.offset, 0xffffffff82a0b1c0n, true);
      v.setBigUint64(at + f.emitted!.offset, 12n, true);
      v.setBigUint64(at + f.signaled!.offset, 11n, true);
      v.setBigUint64(at + f.lat_sum_ns!.offset, 123456n, true);
      if (i === 0) {
        v.setBigUint64(at + f.hist!.offset + 8 * 3, 1n, true);
        v.setBigUint64(at + f.hist!.offset + 8 * 17, 10n, true);
      }
    });
    const hist = Array.from({ length: 18 }, (_, s) => (s === 3 ? 1 : s === 17 ? 10 : 0));
    const common = { ops: 0xffffffff82a0b1c0n, emitted: 12, signaled: 11, latencyNsTotal: 123456 };
    expect(decodeFenceContexts(b, layouts.fence)).toEqual([
      { context: 5, ...common, latencyHistogram: [] },
      { context: 2 ** 33 + 1, ...common, latencyHistogram: hist },
    ]);
  });

  it('a batch whose sizes do not fit the layout is EventProcessingFailed', () => {
    const b = batch([1n], 4, layouts.proc.size - 8, () => undefined);
    expect(() => decodeCudaProcs(b, layouts.proc)).toThrow(EventProcessingFailed);
  });
});

describe('gpu part helpers', () => {
  it('parseKallsyms finds the wanted addresses only; a hidden address (0) matches nothing', () => {
    const text = [
      'ffffffff82a0b1c0 d amdgpu_fence_ops\t[amdgpu]',
      'ffffffff82a0b200 r dma_fence_array_ops',
      '0000000000000000 d hidden_ops',
    ].join('\n');
    expect(parseKallsyms(text, new Set([0xffffffff82a0b1c0n, 0xffffffff82a0b200n, 0n, 0x1234n]))).toEqual(
      new Map([
        [0xffffffff82a0b1c0n, 'amdgpu_fence_ops'],
        [0xffffffff82a0b200n, 'dma_fence_array_ops'],
      ]),
    );
  });

  it('cachedRuntimePaths takes the absolute libcudart.so* paths among the cache\'s strings', () => {
    const strings = ['glibc-ld.so.cache1.1', 'libcudart.so.12', '/usr/local/cuda-12.4/lib64/libcudart.so.12', '/usr/lib/libcudart_static.a', '/opt/x/libcudart.so', '/lib/libc.so.6'];
    expect(cachedRuntimePaths(new TextEncoder().encode(strings.join('\0')))).toEqual(['/usr/local/cuda-12.4/lib64/libcudart.so.12', '/opt/x/libcudart.so']);
  });

  it('distinctFiles keeps the first path of each file and drops missing paths and directories', () => {
    const d = mkdtempSync(join(tmpdir(), 'bpfscope-gpu-files-'));
    try {
      writeFileSync(join(d, 'libcudart.so.12'), 'x');
      writeFileSync(join(d, 'libcudart.so.11'), 'y');
      symlinkSync('libcudart.so.12', join(d, 'libcudart.so'));
      const paths = ['libcudart.so', 'libcudart.so.12', 'missing.so', 'libcudart.so.11', '.'].map((n) => join(d, n));
      expect(distinctFiles(paths)).toEqual([join(d, 'libcudart.so'), join(d, 'libcudart.so.11')]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
