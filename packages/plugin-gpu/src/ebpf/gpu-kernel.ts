import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { awaitOrAbort, Closed, DataUnavailable, isBpfscopeError, LoadFailed, type BpfscopeError, type Logger, type SourceContext } from '@bpfscope/core';
import { asNativeLoader, loadNative, readStatsCounters, type BpfLink, type BpfObject, type LoadedBpfObject, type NativeObjectLoader } from '@bpfscope/native';
import type { ResolvedGpuOptions } from '../options.js';
import type { GpuKernelPart, GpuKernelReading, GpuServices } from '../parts.js';
import { findCudaRuntimes, distinctFiles, type CudaRuntimeSearch } from './cuda-runtimes.js';
import { FenceOpsNames } from './fence-ops-names.js';
import { decodeCudaProcs, decodeFenceContexts, gpuLayouts, type GpuLayouts } from './gpu-decode.js';

/** The uprobes and the runtime function each goes on (uretprobe: the return of that function). @internal */
export const CUDA_PROBES = [
  { program: 'gpu_launch', functionName: 'cudaLaunchKernel', retprobe: false },
  { program: 'gpu_malloc', functionName: 'cudaMalloc', retprobe: false },
  { program: 'gpu_malloc_ret', functionName: 'cudaMalloc', retprobe: true },
  { program: 'gpu_free', functionName: 'cudaFree', retprobe: false },
  { program: 'gpu_memcpy', functionName: 'cudaMemcpy', retprobe: false },
] as const;
/** The dma_fence programs (tp_btf). @internal */
export const FENCE_PROGRAMS = ['gpu_fence_init', 'gpu_fence_sig'] as const;

/**
 * The inode of the initial pid namespace (PROC_PID_INIT_INO, include/linux/proc_ns.h): a
 * kernel ABI constant. The programs key processes by their pid there; only a reader in that
 * namespace can tell from its /proc whether they still exist.
 */
const INIT_PID_NS = 'pid:[4026531836]';

/** Where the part searches for CUDA runtimes when the options name none (tests point it at their own tree). @internal */
export interface GpuKernelSettings {
  runtimeSearch?: CudaRuntimeSearch;
}

/**
 * The eBPF part of the gpu family: uprobes on each CUDA runtime (`cudaLaunchKernel`,
 * `cudaMalloc` entry and return, `cudaFree`, `cudaMemcpy`) counting per process, and the
 * `dma_fence_init` / `dma_fence_signaled` tracepoints (tp_btf) counting jobs and
 * init-to-signal latency per fence context. Either half may be unavailable (no runtime
 * found, a kernel without the dma_fence tracepoints); the part fails only when neither
 * attaches. The object is the part's own (not shared): its process entries are pruned by
 * the reads.
 * @internal
 */
export class GpuKernel implements GpuKernelPart {
  readonly #loader: NativeObjectLoader;
  readonly #names: FenceOpsNames;
  #handle: LoadedBpfObject | null = null;
  #layouts: GpuLayouts | null = null;
  #uprobes: BpfLink[] = [];
  #runtimes: string[] = [];
  #unavailable: GpuKernelReading['unavailable'] = {};
  #generation = 0;
  #logger: Logger | null = null;
  #prune = false;

  /**
   * @param options - the plugin's options (`cudaRuntimes`, `objectPath`)
   * @param services - the engine's object loader and procfs reader
   * @param settings - where to search for runtimes (tests)
   */
  constructor(private readonly options: ResolvedGpuOptions, private readonly services: GpuServices, private readonly settings: GpuKernelSettings = {}) {
    this.#loader = asNativeLoader(services.loader);
    this.#names = new FenceOpsNames(services.procfs);
  }

  async start(context: SourceContext): Promise<void> {
    const generation = ++this.#generation;
    loadNative();
    this.#logger = context.logger;
    this.#unavailable = {};
    this.#prune = this.#inInitPidNamespace();
    const handle = await this.#load(context.signal);
    if (generation !== this.#generation) {
      handle.close();
      throw new Closed('gpu eBPF part', { details: { call: 'start' } });
    }
    this.#handle = handle;
    try {
      this.#layouts = gpuLayouts(handle.structLayouts());
      const have = new Set(handle.object.programs().map((p) => p.name));
      const lacking = [...CUDA_PROBES.map((p) => p.program), ...(this.#unavailable.fences ? [] : FENCE_PROGRAMS)].filter((p) => !have.has(p));
      if (lacking.length > 0) throw new LoadFailed(this.options.objectPath, `the object has no program ${lacking.join(', ')}: it is not the gpu object of this version`, '', { details: { missing: lacking } });
      const fenceError = this.#unavailable.fences ? null : this.#attachFences(handle);
      const cudaError = this.#attachCuda(handle.object);
      if (this.#uprobes.length === 0 && this.#unavailable.fences) throw cudaError ?? fenceError ?? new DataUnavailable('gpu eBPF part', `${this.#unavailable.cuda}; ${this.#unavailable.fences}`);
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** Load the object; a kernel without the dma_fence tracepoints gets it without the fence programs. */
  async #load(signal: AbortSignal): Promise<LoadedBpfObject> {
    const load = (autoloadOff: readonly string[]): Promise<LoadedBpfObject> => {
      const loading = this.#loader.load({ path: this.options.objectPath, shared: false, autoloadOff });
      return awaitOrAbort(loading, signal, () => void loading.then((h) => h.close(), () => undefined));
    };
    try {
      return await load([]);
    } catch (e) {
      // Only a load the fence programs can have failed is retried without them.
      if (!(e instanceof LoadFailed) || signal.aborted || !/dma_fence/.test(`${e.message}\n${e.verifierLog}`)) throw e;
      this.#unavailable.fences = `the dma_fence tracepoints cannot be used on this kernel (${e.message.split('\n')[0]})`;
      return load(FENCE_PROGRAMS);
    }
  }

  #attachFences(handle: LoadedBpfObject): BpfscopeError | null {
    try {
      for (const p of FENCE_PROGRAMS) handle.attach(p);
      return null;
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      for (const p of handle.attachedPrograms()) handle.detach(p);
      this.#unavailable.fences = `the dma_fence tracepoints could not be attached: ${e.message}`;
      return e;
    }
  }

  /** Attach the uprobes to every runtime; a runtime where one fails gets none (its counts would be partial). */
  #attachCuda(obj: BpfObject): BpfscopeError | null {
    const found = this.options.cudaRuntimes === null ? findCudaRuntimes(this.settings.runtimeSearch) : null;
    const runtimes = found ? found.runtimes : distinctFiles(this.options.cudaRuntimes ?? []);
    if (runtimes.length === 0) {
      this.#unavailable.cuda = found
        ? `no CUDA runtime (libcudart.so) found; looked for ${found.lookedFor.join(' and ')}. Applications that link the runtime statically (nvcc's default, -cudart static) are not seen either`
        : `none of the configured CUDA runtimes exists: ${(this.options.cudaRuntimes ?? []).join(', ')}`;
      return null;
    }
    const failures: string[] = [];
    let first: BpfscopeError | null = null;
    for (const binaryPath of runtimes) {
      const links: BpfLink[] = [];
      try {
        for (const p of CUDA_PROBES) links.push(obj.attachUprobe(p.program, { binaryPath, functionName: p.functionName, retprobe: p.retprobe }));
        this.#uprobes.push(...links);
        this.#runtimes.push(binaryPath);
      } catch (e) {
        if (!isBpfscopeError(e)) throw e;
        for (const l of links) l.destroy();
        first ??= e;
        failures.push(`${binaryPath}: ${e.message}`);
        this.#logger?.warn('gpu: a CUDA runtime could not be probed', { runtime: binaryPath, code: e.code, message: e.message });
      }
    }
    if (this.#runtimes.length === 0) this.#unavailable.cuda = `no CUDA runtime could be probed: ${failures.join('; ')}`;
    return first;
  }

  async read(signal: AbortSignal): Promise<GpuKernelReading> {
    const obj = this.#handle?.object;
    const layouts = this.#layouts;
    if (!obj || !layouts) throw new DataUnavailable('gpu eBPF part', 'the part is not started');
    const procs = this.#uprobes.length > 0 ? await awaitOrAbort(obj.map('gpu_cuda_procs').lookupBatch(), signal) : null;
    const fences = this.#unavailable.fences ? null : await awaitOrAbort(obj.map('gpu_fence_ctxs').lookupBatch(), signal);
    const cuda = procs ? decodeCudaProcs(procs, layouts.proc) : [];
    const raw = fences ? decodeFenceContexts(fences, layouts.fence) : [];
    const names = this.#names.names(raw.map((c) => c.ops));
    const k = readStatsCounters(obj.map('gpu_stats'));
    // A process that has exited is reported in this reading for the last time: its entry
    // goes, so the map holds the living (and its room is not used up by the dead). From
    // another pid namespace the kernel's pids cannot be looked up: nothing is removed there.
    if (this.#prune) for (const p of cuda) if (!this.#alive(p.pid)) obj.map('gpu_cuda_procs').delete(u32(p.pid));
    return {
      cuda,
      fences: raw.map(({ ops, ...c }) => ({ driver: names.get(ops)!, timeline: null, ...c })),
      kernel: { invocations: k.invocations, drops: k.drops },
      unavailable: { ...this.#unavailable },
    };
  }

  #inInitPidNamespace(): boolean {
    try {
      return readlinkSync(join(this.services.procfs.procRoot, 'self/ns/pid')) === INIT_PID_NS;
    } catch {
      return false;
    }
  }

  #alive(pid: number): boolean {
    try {
      this.services.procfs.readProc(`${pid}/stat`);
      return true;
    } catch {
      return false;
    }
  }

  detached(): string | null {
    const gone = [...(this.#handle?.detachedPrograms() ?? []), ...this.#uprobes.filter((l) => !l.attached).map((l) => `${l.program} (${l.attachPoint})`)];
    return gone.length > 0 ? `gpu program ${gone.join(', ')} is no longer attached` : null;
  }

  cudaRuntimes(): readonly string[] {
    return [...this.#runtimes];
  }

  /** The loaded object and its stats map, for the source's program stats; null before start. */
  statsTarget(): { object: BpfObject; statsMap: string } | null {
    return this.#handle ? { object: this.#handle.object, statsMap: 'gpu_stats' } : null;
  }

  async close(): Promise<void> {
    this.#generation++;
    for (const l of this.#uprobes.splice(0)) l.destroy();
    this.#runtimes = [];
    this.#handle?.close();
    this.#handle = null;
    this.#layouts = null;
  }
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
