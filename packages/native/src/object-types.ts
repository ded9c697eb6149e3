// Option and description types of BpfObject.
import type { BpfObject } from './bpf-object.js';
import type { StructLayout } from './btf-layout.js';
import type { DecodeOptions } from './record-decoder.js';
import type { ConstantValue } from './rodata-constants.js';

/** Options of {@link BpfObject.open}. */
export interface OpenOptions {
  /** A BTF file describing the running kernel, for kernels without /sys/kernel/btf/vmlinux (e.g. from BTFHub). */
  btfPath?: string;
  /** Object name used in errors and by libbpf; default: the file name without `.bpf.o`, or `bpf_object` for a buffer. */
  name?: string;
  /**
   * Values for the object's `const volatile` globals (its .rodata), by variable
   * name, written before load (see {@link BpfObject.setConstant}). The verifier
   * then sees them as constants and prunes the code they disable.
   */
  constants?: Readonly<Record<string, ConstantValue>>;
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
  /** Kernel map id; 0 before load. */
  id: number;
  /** BTF name of the key type: `__u32`, `struct flow_key`; absent when the map declares no BTF key (stack traces, global data). */
  keyType?: string;
  /** BTF name of the value type: `__u64`, `struct cpu_times`, `.rodata` for global data; absent without BTF. */
  valueType?: string;
}

/** Run statistics of one loaded program (see {@link BpfObject.programStats}). */
export interface ProgramStats {
  /** Program name. */
  name: string;
  /** Kernel program id. */
  id: number;
  /** Runs counted while run-time statistics were enabled ({@link enableRunStats}) by this or another process. */
  runCount: number;
  /** Nanoseconds of run time counted in those runs. */
  runTimeNs: number;
  /** `runTimeNs / runCount`; undefined while no run was counted. */
  nsPerRun: number | undefined;
  /** Runs the kernel skipped because the program was already running on that CPU. */
  recursionMisses: number;
}

/** Options of {@link BpfObject.readIterator} that decode the output. */
export interface IteratorReadOptions {
  /** The layout of the fixed-size records the program writes with bpf_seq_write: a struct name of the object's BTF, or a layout. */
  recordLayout: string | StructLayout;
  /** How the records decode. */
  decode?: DecodeOptions;
}

/** What {@link UprobeSymbolTarget} and {@link UprobeOffsetTarget} share. */
export interface UprobeTargetBase {
  /** Path of the executable or shared library (absolute, or a library name libbpf finds on the library path). */
  binaryPath: string;
  /** Only this process; -1 for every process that maps the binary, 0 for this one. Default -1. */
  pid?: number;
  /** Probe the function's return instead of its entry (a uretprobe). Default false. */
  retprobe?: boolean;
}

/** A uprobe on a function found by name in the binary's ELF symbol tables. */
export interface UprobeSymbolTarget extends UprobeTargetBase {
  /** Symbol name of the function (`.symtab` or `.dynsym`). */
  functionName: string;
  /** Not with a function name. */
  offset?: undefined;
}

/** A uprobe at a file offset of the binary: for stripped binaries, or an instruction inside a function. */
export interface UprobeOffsetTarget extends UprobeTargetBase {
  /** Offset in the file (not the virtual address) of the instruction to probe; a symbol's is `st_value - sh_addr + sh_offset` of its section. */
  offset: number;
  /** Not with an offset. */
  functionName?: undefined;
}

/** Where {@link BpfObject.attachUprobe} attaches: a function by name, or a file offset. */
export type UprobeTarget = UprobeSymbolTarget | UprobeOffsetTarget;

/** Where {@link BpfObject.attachPerfEvent} samples. */
export interface PerfEventTarget {
  /** CPU number. */
  cpu: number;
  /** Samples per second of the software cpu-clock event. Default 49. */
  frequencyHz?: number;
}

/** How {@link BpfObject.attachPerfEventAllCpus} samples. */
export interface PerfEventAllCpusOptions {
  /** Samples per second on each CPU of the software cpu-clock event. Default 49. */
  frequencyHz?: number;
}
