// The shape of the compiled addon (src/native). Everything that crosses into
// C++ goes through these types; the wrappers in this package validate the
// arguments first.
import type { BpfLink } from './bpf-link.js';
import type { BpfMap } from './bpf-map.js';
import type { BpfObject } from './bpf-object.js';
import type { MapInfo, ProgramInfo } from './object-types.js';
import type { NvmlBinding } from './raw-nvml.js';
import type { RawRingBufferConstructor } from './raw-ring-buffer.js';

/** A program as the addon describes it (see {@link ProgramInfo}). @internal */
export interface RawProgramInfo {
  /** Name of the program's function in the BPF C source. */
  name: string;
  /** ELF section, which names the hook: `tp_btf/sched_switch`, `iter/task`, ... */
  section: string;
  /** libbpf program type name (`tracing`, `kprobe`, ...), or `unknown(<n>)` for a type libbpf cannot name. */
  type: string;
  /** libbpf attach type name, or for program types without one the section prefix (`raw_tp`, `kprobe`, `perf_event`). */
  attachType: string;
  /** Whether `load()` loads this program; see {@link RawBpfObject.setAutoload}. */
  autoload: boolean;
}

/** A map as the addon describes it (see {@link MapInfo}). @internal */
export interface RawMapInfo {
  /** Map name: the C variable's, or the one libbpf gives a global-data map (ending `.rodata`, `.data` or `.bss`). */
  name: string;
  /** libbpf map type name (`hash`, `percpu_array`, ...), or `unknown(<n>)` for a type libbpf cannot name. */
  type: string;
  /** Key size in bytes. */
  keySize: number;
  /** Value size in bytes; for per-CPU maps, of one CPU's value. */
  valueSize: number;
  /** Capacity in entries (`max_entries`). */
  maxEntries: number;
  /** True for `percpu_array`, `percpu_hash`, `lru_percpu_hash` and `percpu_cgroup_storage`. */
  perCpu: boolean;
  /** Bytes one lookup returns (per-CPU maps: value size rounded to 8 × possible CPUs). */
  entrySize: number;
  /** Kernel map id; 0 before load. */
  id: number;
  /** BTF type id of the key in the object's (or pinned map's) BTF; 0 without BTF. */
  keyTypeId: number;
  /** BTF type id of the value; 0 without BTF. */
  valueTypeId: number;
  /** Readable BTF name of the key type (`__u32`, `struct key`), absent without BTF. */
  keyType?: string;
  /** Readable BTF name of the value type, absent without BTF. */
  valueType?: string;
}

/** A loaded program's kernel info (bpf_obj_get_info_by_fd). @internal */
export interface RawProgramRunInfo {
  /** Kernel program id. */
  id: number;
  /** Kernel name (at most 15 characters). */
  name: string;
  /** Program type name. */
  type: string;
  /** The program's tag (hash of its instructions), hex. */
  tag: string;
  /** Runs counted while BPF_ENABLE_STATS was on. */
  runCount: number;
  /** Nanoseconds of run time counted while BPF_ENABLE_STATS was on. */
  runTimeNs: number;
  /** Runs skipped because the program was already running on that CPU. */
  recursionMisses: number;
  /** Instructions the verifier processed. */
  verifiedInsns: number;
  /** libbpf's (untruncated) program name; set by RawBpfObject.programStats only. */
  program?: string;
}

/** An fd the addon owns: a pinned program, or the BPF_ENABLE_STATS handle. @internal */
export interface RawBpfFd {
  /** `prog` (a pinned program) or `stats` (run-time statistics on). */
  readonly kind: string;
  /** True once closed. */
  readonly closed: boolean;
  /** Kernel info of a `prog` fd. */
  programInfo(): RawProgramRunInfo;
  /** Closes the fd; does nothing the second time. */
  close(): void;
}

/**
 * Entries of one batch read or chunk: `count` keys of `keySize` bytes from
 * `keysOffset` of `buffer`, and `count` values of `entrySize` bytes from
 * `valuesOffset`, packed, in the same order. `buffer` is the caller's
 * ArrayBuffer when the read went into one and fit, else a new one.
 * @internal
 */
export interface RawBatch {
  /** Number of entries read. */
  count: number;
  /** The caller's ArrayBuffer (read `into` it), or a new one holding only these entries. */
  buffer: ArrayBuffer;
  /** Byte offset of the first key in `buffer`. */
  keysOffset: number;
  /** Byte offset of the first value in `buffer`. */
  valuesOffset: number;
  /** True when the kernel refused batch operations and the entries were walked with get_next_key. */
  iterated: boolean;
  /** True when a buffer was given but these entries did not fit it and are in a new one. */
  spilled: boolean;
  /** Set when a read failed after reading (for lookup-and-delete: removing) the `count` entries returned: its errno. */
  errno?: number;
  /** With `errno`: the failed operation. */
  op?: string;
}

/** A running {@link RawBpfMap.lookupBatchStream} job. @internal */
export interface RawBatchStream {
  /** Settles when the job has ended (no more writes to the caller's buffer): the number of entries read. */
  done: Promise<number>;
  /** Ends the job before its next chunk; `done` still settles. */
  stop(): void;
}

/** The addon's map object; {@link BpfMap} wraps it. @internal */
export interface RawBpfMap {
  /** Describes the map; throws once its object is closed. */
  info(): RawMapInfo;
  /** Reads the `entrySize`-byte value of a `keySize`-byte key, or returns undefined when the key is absent. */
  lookup(key: Uint8Array): Uint8Array | undefined;
  /** Creates or replaces one entry; `flags` is one of {@link MapUpdateFlags}, passed to bpf_map_update_elem as is. */
  update(key: Uint8Array, value: Uint8Array, flags: number): void;
  /** Deletes one entry; returns false when the key was absent. */
  delete(key: Uint8Array): boolean;
  /**
   * Reads every entry on a libuv pool thread, by bpf_map_lookup_batch or, where the kernel refuses it, a
   * get_next_key walk; with `into`, into that view (keys from its start, values after room for as many keys
   * as entries fit) unless the map holds more, which then all go to a new buffer. `into` is referenced until the job ends.
   */
  lookupBatch(into?: Uint8Array): Promise<RawBatch>;
  /** Reads the values of keys `first` to `first + count - 1` (default all `maxEntries`) of an `array` or `percpu_array` map synchronously, value `first + i` at offset `i × entrySize`. */
  readArray(first?: number, count?: number): Uint8Array;
  /** The key after `prev` (the first key without it), or undefined after the last. */
  nextKey(prev?: Uint8Array): Uint8Array | undefined;
  /**
   * Reads every entry in chunks of `chunkEntries` in one pool-thread job, handing each chunk to `onChunk`
   * on the JS thread as soon as it is read; `onChunk` returning false, or `stop()`, ends the job. With
   * `into`, the chunks fill it one after the other as a whole-map read would (never over an earlier
   * chunk), and chunks beyond it get buffers of their own.
   */
  lookupBatchStream(chunkEntries: number, onChunk: (chunk: RawBatch) => boolean | void, into?: Uint8Array): RawBatchStream;
  /** Reads and deletes every entry on a pool thread (bpf_map_lookup_and_delete_batch), `into` as for {@link RawBpfMap.lookupBatch}. */
  lookupAndDeleteBatch(into?: Uint8Array): Promise<RawBatch>;
  /** Writes `count` packed keys and values on a pool thread; resolves the count written. Rejections carry `processed`. */
  updateBatch(keys: Uint8Array, values: Uint8Array, count: number, flags: number): Promise<number>;
  /** Deletes `count` packed keys on a pool thread; resolves the count deleted. Rejections carry `processed`. */
  deleteBatch(keys: Uint8Array, count: number): Promise<number>;
  /** Pins the map at a bpffs path (bpf_obj_pin). */
  pin(path: string): void;
  /** The raw BTF that keyTypeId / valueTypeId refer to, or undefined. */
  btf(): ArrayBuffer | undefined;
  /** Closes a pinned map's fd; does nothing for a map of an object. */
  close(): void;
}

/** The addon's link object; {@link BpfLink} wraps it. @internal */
export interface RawBpfLink {
  /** Name of the attached program. */
  readonly program: string;
  /** Where it is attached: the section name, `uprobe:`/`uretprobe:<binary>:<function>`, or `perf_event:cpu-clock:cpu<N>`. */
  readonly attachPoint: string;
  /** False once the link was destroyed, directly or by closing its object. */
  readonly alive: boolean;
  /** Detaches the program; does nothing when it is already detached. */
  destroy(): void;
  /** Creates an iterator from an iter/* link and reads it to EOF on a pool thread. */
  readIterator(): Promise<ArrayBuffer>;
  /** The same into `into`: resolves the byte count when everything fit, else a new ArrayBuffer with all of it. */
  readIterator(into: ArrayBuffer): Promise<ArrayBuffer | number>;
  /** The same read on the calling thread: the byte count when everything fit in `into`, else a new ArrayBuffer with all of it. */
  readIteratorSync(into: ArrayBuffer): ArrayBuffer | number;
}

/** The addon's object; {@link BpfObject} wraps it. Methods throw plain Errors with `code`, `op`, `errno`, `log`. @internal */
export interface RawBpfObject {
  /** Object name passed to the constructor, also libbpf's `object_name`. */
  readonly name: string;
  /** Loads the autoload programs and creates the maps on a libuv pool thread; an object loads only once. */
  load(): Promise<void>;
  /** Describes every program of the object. */
  programs(): RawProgramInfo[];
  /** Describes every map, including those libbpf creates for global data. */
  maps(): RawMapInfo[];
  /** Chooses whether `load()` loads `program`; throws after the object was loaded. */
  setAutoload(program: string, on: boolean): void;
  /** Attaches a loaded program to the hook its section names (bpf_program__attach). */
  attach(program: string): RawBpfLink;
  /** Attaches a uprobe program to `functionName` in `binaryPath` (or, when `functionName` is empty, to file offset `offset`), for process `pid` (-1: every process), at its return when `retprobe`. */
  attachUprobe(program: string, binaryPath: string, functionName: string, pid: number, retprobe: boolean, offset?: number): RawBpfLink;
  /** Attaches a perf_event program to a software cpu-clock event on `cpu`, sampling `frequencyHz` times per second. */
  attachPerfEvent(program: string, cpu: number, frequencyHz: number): RawBpfLink;
  /** A new wrapper of the map called `name`, or undefined when the object has no such map. */
  map(name: string): RawBpfMap | undefined;
  /** Detaches every link and frees the object, at once or when a running load or batch read ends; safe to call twice. */
  close(): void;
  /** The object's raw BTF as libbpf finalized it at open, or undefined. */
  btf(): ArrayBuffer | undefined;
  /** A copy of a global-data map's initial value (by map or section name, e.g. `.rodata`), or undefined. */
  initialValue(map: string): Uint8Array | undefined;
  /** Replaces a global-data map's initial value; before load only. */
  setInitialValue(map: string, bytes: Uint8Array): void;
  /** Kernel info of every loaded program, with `program` set. */
  programStats(): RawProgramRunInfo[];
  /** Pins a loaded program at a bpffs path. */
  pinProgram(program: string, path: string): void;
}

/**
 * The raw binding exported by the compiled addon. Most code should use
 * {@link BpfObject} and friends instead; this is what {@link loadNative} returns.
 * @internal
 */
export interface NativeBinding extends NvmlBinding {
  /** Opens an ELF image (the bytes of a .bpf.o). Throws a native failure (see the wrappers). */
  BpfObject: new (image: Uint8Array, name: string, btfPath?: string) => RawBpfObject;
  /** libbpf's version as `major.minor`. */
  libbpfVersion(): string;
  /** libbpf_num_possible_cpus(). */
  possibleCpus(): number;
  /** Program type names libbpf knows (`socket_filter`, `kprobe`, ...). */
  progTypeNames(): string[];
  /** Map type names libbpf knows (`hash`, `array`, ...). */
  mapTypeNames(): string[];
  /** libbpf_probe_bpf_prog_type (for `tracing`, a tp_btf load of its own): 1, 0, a negative errno, or undefined for an unknown name. */
  probeProgType(name: string): number | undefined;
  /** libbpf_probe_bpf_map_type: 1, 0, a negative errno, or undefined for an unknown name. */
  probeMapType(name: string): number | undefined;
  /** Helper names the addon knows, from its build's kernel headers (`bpf_map_lookup_elem`, ...). */
  helperNames(): string[];
  /** Whether programs of `progType` may call `helper` (a full `bpf_` name): 1, 0, a negative errno, or undefined for an unknown name. */
  probeHelper(progType: string, helper: string): number | undefined;
  /** Ring buffer consumer over one or more ringbuf maps of a loaded object (src/native/ring_buffer.cc). */
  RingBuffer: RawRingBufferConstructor;
  /** Opens a map pinned in bpffs as a standalone map. */
  openPinnedMap(path: string): RawBpfMap;
  /** Opens a program pinned in bpffs. */
  openPinnedProgram(path: string): RawBpfFd;
  /** BPF_ENABLE_STATS(BPF_STATS_RUN_TIME): statistics stay on while the returned fd is open. */
  enableRunStats(): RawBpfFd;
  /** Routes libbpf's messages up to `maxLevel` (0 warn, 1 info, 2 debug) to `callback` on this thread's event loop; null stops. */
  setLibbpfLogSink(callback: ((level: number, text: string, dropped: number) => void) | null, maxLevel?: number): void;
  /** mallopt(M_MMAP_THRESHOLD, bytes): true when glibc took it; false without glibc or when it refused. */
  pinMmapThreshold(bytes: number): boolean;
  /**
   * Drops capability numbers `caps` on every thread it can reach (src/native/capabilities.cc),
   * waiting up to `waitMs` per round for the threads' answers. Optional: older builds lack it.
   */
  dropCapabilities?(caps: number[], waitMs: number): RawCapabilityDrop;
}

/** What the binding's `dropCapabilities` did. */
export interface RawCapabilityDrop {
  /** The real-time signal used to reach the other threads (0 when none was free). */
  signal: number;
  /** Whether the bounding set was dropped from too (the process held CAP_SETPCAP). */
  bounding: boolean;
  /** Per thread, what happened. */
  threads: RawThreadDrop[];
}

/** One thread's part of a {@link RawCapabilityDrop}. */
export interface RawThreadDrop {
  /** Thread id. */
  tid: number;
  /** `dropped`, `failed` (see `errno`), `signal-blocked` (and tracing it failed: see `errno`), `no-answer` or `gone`. */
  result: string;
  /** errno of capget/capset on that thread, or of tracing it (`method` ptrace); 0 when they succeeded. */
  errno: number;
  /** How the thread was reached: `signal`, or `ptrace` for a thread that blocks every signal. */
  method: 'signal' | 'ptrace';
  /** errno of the first PR_CAPBSET_DROP refused; 0 when none was. */
  boundingErrno: number;
}

const FUNCTIONS = ['BpfObject', 'libbpfVersion', 'possibleCpus', 'progTypeNames', 'mapTypeNames', 'probeProgType', 'probeMapType', 'helperNames', 'probeHelper', 'openPinnedMap', 'openPinnedProgram', 'enableRunStats', 'setLibbpfLogSink', 'pinMmapThreshold', 'NvmlSession'] as const;

/**
 * True when `mod` exports every function of {@link NativeBinding}: guards against
 * a stale or foreign .node file being picked up by the loader.
 * @internal
 */
export function isNativeBinding(mod: unknown): mod is NativeBinding {
  if (typeof mod !== 'object' || mod === null) return false;
  return FUNCTIONS.every((name) => name in mod && typeof (mod as Record<string, unknown>)[name] === 'function');
}
