// Option and description types of BpfObject.
import type { BpfObject } from './bpf-object.js';

/** Options of {@link BpfObject.open}. */
export interface OpenOptions {
  /** A BTF file describing the running kernel, for kernels without /sys/kernel/btf/vmlinux (e.g. from BTFHub). */
  btfPath?: string;
  /** Object name used in errors and by libbpf; default: the file name without `.bpf.o`, or `bpf_object` for a buffer. */
  name?: string;
}

/** Options of {@link BpfObject.load}. */
export interface LoadOptions {
  /** Give up after this many milliseconds: the promise rejects with {@link @bpfscope/core!Timeout} and the object is closed. Default: no limit. */
  timeoutMs?: number;
}

/** A program of an object, as libbpf sees it. */
export interface ProgramInfo {
  /** Program (function) name. */
  name: string;
  /** ELF section, which names the hook: `tp_btf/sched_switch`, `iter/task`, ... */
  section: string;
  /** libbpf program type name: `tracing`, `raw_tracepoint`, `kprobe`, `perf_event`, ... */
  type: string;
  /** libbpf attach type name (`trace_raw_tp`, `trace_fentry`, `trace_iter`); for program types without one, the section prefix (`raw_tp`, `kprobe`, `uprobe`, `perf_event`). */
  attachType: string;
  /** Whether {@link BpfObject.load} loads it (see {@link BpfObject.setAutoload}). */
  autoload: boolean;
}

/** A map of an object, as libbpf sees it. */
export interface MapInfo {
  /** Map name. */
  name: string;
  /** libbpf map type name: `hash`, `percpu_array`, `ringbuf`, ... */
  type: string;
  /** Key size in bytes. */
  keySize: number;
  /** Value size in bytes (one CPU's value for per-CPU maps). */
  valueSize: number;
  /** Capacity. */
  maxEntries: number;
  /** True for per-CPU map types. */
  perCpu: boolean;
}

/** Where {@link BpfObject.attachUprobe} attaches. */
export interface UprobeTarget {
  /** Absolute path of the executable or shared library. */
  binaryPath: string;
  /** Symbol name of the function (its entry is probed). */
  functionName: string;
  /** Only this process; -1 for every process, 0 for this one. Default -1. */
  pid?: number;
  /** Probe the function's return instead of its entry. Default false. */
  retprobe?: boolean;
}

/** Where {@link BpfObject.attachPerfEvent} samples. */
export interface PerfEventTarget {
  /** CPU number. */
  cpu: number;
  /** Samples per second of the software cpu-clock event. Default 49. */
  frequencyHz?: number;
}
