import { EventProcessingFailed } from '@bpfscope/core';
import { requireStruct, type MapBatch, type StructLayout } from '@bpfscope/native';
import type { CudaProcessWork, FenceContext } from '../records.js';

/** Slots of `gpu_cuda_proc.copy_bytes` (cudaMemcpyKind 0..4) and of `gpu_fence_ctx.hist`. */
const COPY_KINDS = 5;
const HIST_SLOTS = 64;

/** Layouts of bpf/gpu/gpu.h, checked against the object's BTF. @internal */
export interface GpuLayouts {
  proc: StructLayout;
  fence: StructLayout;
}

/**
 * Take the layouts from the object's BTF.
 * @throws {@link @bpfscope/core!LoadFailed} when the object is not the gpu object or its layouts drifted from these decoders
 * @internal
 */
export function gpuLayouts(layouts: ReadonlyMap<string, StructLayout>): GpuLayouts {
  return {
    proc: requireStruct(layouts, 'gpu_cuda_proc', { launches: 8, allocs: 8, alloc_bytes: 8, frees: 8, copies: 8, copy_bytes: 8 * COPY_KINDS, comm: 16 }),
    fence: requireStruct(layouts, 'gpu_fence_ctx', { ops: 8, emitted: 8, signaled: 8, lat_sum_ns: 8, hist: 8 * HIST_SLOTS }),
  };
}

const u64 = (v: DataView, at: number): number => v.getUint32(at + 4, true) * 4294967296 + v.getUint32(at, true);

function views(batch: MapBatch, layout: StructLayout, keySize: number, map: string): { keys: DataView; values: DataView } {
  if (batch.values.length !== batch.count * layout.size || batch.keys.length !== batch.count * keySize) {
    throw new EventProcessingFailed(`${map}: ${batch.count} entries but ${batch.keys.length} key bytes and ${batch.values.length} value bytes (struct ${layout.name} is ${layout.size} bytes)`, {
      details: { map, count: batch.count, size: layout.size },
    });
  }
  return {
    keys: new DataView(batch.keys.buffer, batch.keys.byteOffset, batch.keys.byteLength),
    values: new DataView(batch.values.buffer, batch.values.byteOffset, batch.values.byteLength),
  };
}

function comm(bytes: Uint8Array, at: number): string {
  const raw = bytes.subarray(at, at + 16);
  const end = raw.indexOf(0);
  return Buffer.from(raw.subarray(0, end < 0 ? raw.length : end)).toString('utf8');
}

/**
 * The processes of `gpu_cuda_procs` (key: tgid), ordered by pid.
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a batch whose sizes do not fit the layout
 * @internal
 */
export function decodeCudaProcs(batch: MapBatch, layout: StructLayout): CudaProcessWork[] {
  const { keys, values: v } = views(batch, layout, 4, 'gpu_cuda_procs');
  const f = layout.fields;
  const out: CudaProcessWork[] = [];
  for (let i = 0; i < batch.count; i++) {
    const at = i * layout.size;
    const kind = (k: number): number => u64(v, at + f.copy_bytes!.offset + 8 * k);
    out.push({
      pid: keys.getUint32(i * 4, true),
      comm: comm(batch.values, at + f.comm!.offset),
      kernelLaunches: u64(v, at + f.launches!.offset),
      allocations: u64(v, at + f.allocs!.offset),
      allocatedBytes: u64(v, at + f.alloc_bytes!.offset),
      frees: u64(v, at + f.frees!.offset),
      copies: u64(v, at + f.copies!.offset),
      // cudaMemcpyKind: HostToHost 0, HostToDevice 1, DeviceToHost 2, DeviceToDevice 3, Default 4.
      copyBytes: { hostToDevice: kind(1), deviceToHost: kind(2), deviceToDevice: kind(3), other: kind(0) + kind(4) },
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** One fence context as the map holds it, before its ops address is named. @internal */
export interface RawFenceContext extends Omit<FenceContext, 'driver' | 'timeline'> {
  /** Address of the context's `dma_fence_ops`. */
  ops: bigint;
}

/**
 * The contexts of `gpu_fence_ctxs` (key: the u64 fence context), ordered by context.
 * The histogram is cut after its last non-empty slot.
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a batch whose sizes do not fit the layout
 * @internal
 */
export function decodeFenceContexts(batch: MapBatch, layout: StructLayout): RawFenceContext[] {
  const { keys, values: v } = views(batch, layout, 8, 'gpu_fence_ctxs');
  const f = layout.fields;
  const out: RawFenceContext[] = [];
  for (let i = 0; i < batch.count; i++) {
    const at = i * layout.size;
    const hist: number[] = [];
    for (let s = 0; s < HIST_SLOTS; s++) hist.push(u64(v, at + f.hist!.offset + 8 * s));
    let last = hist.length;
    while (last > 0 && hist[last - 1] === 0) last--;
    out.push({
      context: u64(keys, i * 8),
      ops: v.getBigUint64(at + f.ops!.offset, true),
      emitted: u64(v, at + f.emitted!.offset),
      signaled: u64(v, at + f.signaled!.offset),
      latencyNsTotal: u64(v, at + f.lat_sum_ns!.offset),
      latencyHistogram: hist.slice(0, last),
    });
  }
  return out.sort((a, b) => a.context - b.context);
}
