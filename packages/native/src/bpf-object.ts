import { AttachFailed, Closed, ConfigError, isBpfscopeError, LoadFailed, MapOperationFailed, type BpfscopeError } from '@bpfscope/core';
import { autoAttachError, checkUprobeTarget, onlineCpus, uprobeError } from './attach-targets.js';
import { BpfLink, linksChanged } from './bpf-link.js';
import { BpfMap } from './bpf-map.js';
import type { StructLayout } from './btf-layout.js';
import { pinPathProblem, removePin } from './bpffs.js';
import { loadNative } from './loader.js';
import { toBpfscopeError } from './native-error.js';
import { ObjectBtf } from './object-btf.js';
import { readObjectSource } from './object-source.js';
import type { IteratorReadOptions, LoadOptions, MapInfo, OpenOptions, PerfEventAllCpusOptions, PerfEventTarget, ProgramInfo, ProgramStats, UprobeTarget } from './object-types.js';
import { RingBufferConsumer } from './ring-buffer.js';
import type { RingBufferOptions } from './ring-buffer-options.js';
import type { RawBpfLink, RawBpfObject } from './raw-binding.js';
import { decodeRecords, type DecodedRecord } from './record-decoder.js';
import { encodeConstant, type ConstantInfo, type ConstantValue } from './rodata-constants.js';
import { toProgramStats } from './run-stats.js';
import { withTimeout } from './timeout.js';

type State = 'opened' | 'loading' | 'loaded' | 'failed' | 'closed';

// One libbpf object, shared by every handle on it (see object-cache.ts): the
// kernel objects are freed when the last handle closes.
interface Shared {
  raw: RawBpfObject;
  refs: number;
  btf: ObjectBtf;
}

/**
 * A compiled eBPF object (.bpf.o) opened with libbpf: load it, attach its
 * programs, read its maps, close it. Everything it attached is detached on
 * {@link BpfObject.close}, and also when the process or worker thread exits.
 *
 * @example
 * ```ts
 * const obj = BpfObject.open('bpf/cpu.bpf.o');
 * await obj.load();
 * obj.attach('cpu_switch');
 * const perCpu = obj.map('cpu_stats').readArray();
 * obj.close();
 * ```
 */
export class BpfObject {
  /** Object name (see {@link OpenOptions.name}). */
  readonly name: string;
  readonly #shared: Shared;
  readonly #raw: RawBpfObject;
  readonly #maps = new Map<string, BpfMap>();
  readonly #sections: ReadonlyMap<string, string>;
  // Links this handle made: destroyed when it closes, even if the object lives on for other handles.
  readonly #links = new Set<BpfLink>();
  readonly #iterators = new Map<string, BpfLink>();
  readonly #programPins = new Map<string, string>();
  readonly #onClose: (() => void) | undefined;
  readonly #consumers = new Set<RingBufferConsumer>();
  #state: State;

  private constructor(shared: Shared, name: string, state: State = 'opened', onClose?: () => void) {
    this.#shared = shared;
    this.#raw = shared.raw;
    this.name = name;
    this.#state = state;
    this.#onClose = onClose;
    this.#sections = new Map(shared.raw.programs().map((p) => [p.name, p.section]));
  }

  /**
   * Another handle on the same loaded object, for the object cache: programs
   * and maps are shared, links are the handle's own.
   * @internal
   */
  static share(of: BpfObject, onClose: () => void): BpfObject {
    if (of.#state !== 'loaded') throw new LoadFailed(of.name, `only a loaded object can be shared (it is ${of.#state})`, '', { op: 'share' });
    of.#shared.refs++;
    return new BpfObject(of.#shared, of.name, 'loaded', onClose);
  }

  /**
   * Opens an object from a file path or its bytes. Synchronous; nothing reaches
   * the kernel until {@link BpfObject.load}.
   *
   * @param source - path of a .bpf.o, or its contents
   * @param options - BTF path, object name, load-time constants
   * @throws {@link @bpfscope/core!LoadFailed} for an unreadable file, a file that is not an eBPF ELF object, a truncated or corrupt one
   * @throws {@link @bpfscope/core!BtfUnavailable} when `btfPath` does not exist
   * @throws {@link @bpfscope/core!ConfigError} for a constant the object does not have, or a value of the wrong type, size or range
   * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
   */
  static open(source: string | Uint8Array, options: OpenOptions = {}): BpfObject {
    const native = loadNative();
    const { image, name } = readObjectSource(source, options);
    let obj: BpfObject;
    try {
      const raw = new native.BpfObject(image, name, options.btfPath);
      obj = new BpfObject({ raw, refs: 1, btf: new ObjectBtf(raw, name) }, name);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'load', object: name, sections: new Map() });
    }
    try {
      if (options.constants !== undefined) obj.setConstants(options.constants);
    } catch (e) {
      obj.close();
      throw e;
    }
    return obj;
  }

  /**
   * Sets `const volatile` globals (the object's .rodata) before load. Offsets
   * and sizes come from the object's BTF (DATASEC .rodata).
   *
   * @param values - variable name → value: integers as number or bigint (range-checked), `bool` as boolean, anything else as its exact bytes
   * @throws {@link @bpfscope/core!ConfigError} (path `constants.<name>`) for an unknown variable, a wrong type or size, an integer out of range; nothing is written then
   * @throws {@link @bpfscope/core!LoadFailed} after load
   */
  setConstants(values: Readonly<Record<string, ConstantValue>>): void {
    this.#usable('setConstant');
    if (this.#state !== 'opened') throw new LoadFailed(this.name, 'constants can only be set before load', '', { op: 'bpf_map__set_initial_value' });
    if (typeof values !== 'object' || values === null) throw new ConfigError('constants', values, 'an object of variable name → value');
    const variables = this.#shared.btf.rodata();
    const rodata = variables.size > 0 ? (this.#raw.initialValue('.rodata') ?? new Uint8Array(0)) : new Uint8Array(0);
    for (const [name, value] of Object.entries(values)) encodeConstant(rodata, variables, name, value, this.name);
    if (rodata.length > 0) this.#raw.setInitialValue('.rodata', rodata);
  }

  /**
   * Sets one `const volatile` global before load (see {@link BpfObject.setConstants}).
   * @param name - variable name in the C source
   * @param value - its value
   * @throws {@link @bpfscope/core!ConfigError} naming the variable when it is unknown or the value does not fit
   */
  setConstant(name: string, value: ConstantValue): void {
    this.setConstants({ [name]: value });
  }

  /**
   * The object's `const volatile` globals, with offsets and sizes from BTF.
   * @throws {@link @bpfscope/core!Closed} after {@link BpfObject.close}
   */
  constants(): ConstantInfo[] {
    this.#usable('constants');
    return [...this.#shared.btf.rodata().values()].map(({ name, offset, size, type }) => ({ name, offset, size, type }));
  }

  /**
   * A struct of the object's BTF, e.g. the record an iterator or ring buffer
   * program writes, for {@link decodeRecords}.
   * @param name - struct name (without `struct`)
   * @throws {@link @bpfscope/core!LoadFailed} when the object's BTF has no such struct (the message lists those it has)
   */
  structLayout(name: string): StructLayout {
    this.#usable('structLayout');
    return this.#shared.btf.struct(name);
  }

  /**
   * Every struct of the object's BTF by name, from the BTF parsed once for the object (the
   * same parse as {@link BpfObject.structLayout} and the constants), or undefined for an
   * object without BTF. @internal
   */
  structLayouts(): Map<string, StructLayout> | undefined {
    this.#usable('structLayouts');
    return this.#shared.btf.layouts();
  }

  /**
   * Loads the programs whose autoload is on and creates the maps, on a libuv
   * pool thread (CO-RE relocation and the verifier can take a while). An object
   * loads once.
   *
   * @param options - time limit
   * @throws {@link @bpfscope/core!LoadFailed} with `verifierLog` (the last 60 lines of the libbpf and verifier log) and `details.program`/`details.section` of the failing program
   * @throws {@link @bpfscope/core!InsufficientPermissions} when the kernel refuses bpf() to this process
   * @throws {@link @bpfscope/core!Timeout} when `timeoutMs` passed first (the object is then closed)
   * @throws {@link @bpfscope/core!Closed} when the object was closed before or during the load
   */
  async load(options: LoadOptions = {}): Promise<void> {
    this.#usable('load');
    if (this.#state !== 'opened') throw new LoadFailed(this.name, 'an object can be loaded only once', '', { op: 'bpf_object__load' });
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new RangeError(`load(): timeoutMs must be a positive number, got ${timeoutMs}`);
    }
    this.#state = 'loading';
    const pending = this.#raw.load().then(
      () => {
        if (this.#state === 'loading') this.#state = 'loaded';
      },
      (e: unknown) => {
        if (this.#state === 'loading') this.#state = 'failed';
        throw this.#closedOr(e, () => toBpfscopeError(e, { kind: 'load', object: this.name, sections: this.#sections }));
      },
    );
    if (timeoutMs === undefined) return pending;
    await withTimeout(pending, timeoutMs, `loading ${this.name}`, () => this.close());
  }

  /**
   * The object's programs.
   * @throws {@link @bpfscope/core!Closed} after {@link BpfObject.close}
   */
  programs(): ProgramInfo[] {
    this.#usable('programs');
    return this.#raw.programs();
  }

  /**
   * The object's maps, including the ones libbpf creates for global data (`.rodata`, `.bss`).
   * @throws {@link @bpfscope/core!Closed} after {@link BpfObject.close}
   */
  maps(): MapInfo[] {
    this.#usable('maps');
    return this.#raw.maps().map(({ name, type, keySize, valueSize, maxEntries, perCpu, id, keyType, valueType }) => {
      const info: MapInfo = { name, type, keySize, valueSize, maxEntries, perCpu, id };
      if (keyType !== undefined) info.keyType = keyType;
      if (valueType !== undefined) info.valueType = valueType;
      return info;
    });
  }

  /**
   * Chooses whether {@link BpfObject.load} loads a program (all do by default).
   * Lets a caller load one program at a time, e.g. to probe which hooks work.
   *
   * @param program - program name
   * @param on - load it or not
   * @throws {@link @bpfscope/core!LoadFailed} for an unknown program or after load
   */
  setAutoload(program: string, on: boolean): void {
    this.#usable('setAutoload');
    if (!this.#sections.has(program)) throw new LoadFailed(this.name, this.#unknownProgram(program), '', { op: 'bpf_program__set_autoload' });
    if (this.#state !== 'opened') throw new LoadFailed(this.name, `autoload of ${program} can only change before load`, '', { op: 'bpf_program__set_autoload' });
    try {
      this.#raw.setAutoload(program, on);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'load', object: this.name, sections: this.#sections });
    }
  }

  /**
   * Attaches a program to the hook its section names (tp_btf, raw_tp,
   * tracepoint, kprobe, fentry, iter, ...).
   *
   * @param program - program name
   * @returns the link; it stays attached until destroyed or the object is closed
   * @throws {@link @bpfscope/core!AttachFailed} naming the program and its section, with errno (ENOENT: no such hook); for a `tracepoint/` section on a machine without tracefs, a remedy that says so and points to tp_btf/raw_tp
   * @throws {@link @bpfscope/core!InsufficientPermissions} when the kernel refuses the attach to this process
   */
  attach(program: string): BpfLink {
    const section = this.#attachable(program);
    try {
      return this.#link(program, section, () => this.#raw.attach(program));
    } catch (e) {
      throw autoAttachError(e, section);
    }
  }

  /**
   * Attaches a `SEC("uprobe")` or `SEC("uretprobe")` program to a function of
   * an executable or shared library, found by name in its ELF symbol tables or
   * given as a file offset, in every process that maps the binary or in one.
   *
   * @param program - program name
   * @param target - binary path, function name or file offset, pid filter, entry or return
   * @throws {@link @bpfscope/core!AttachFailed} naming the program, the binary and the function: a binary that does not exist, a function it does not define (ENOENT), a target that is not well formed
   * @example
   * ```ts
   * obj.attachUprobe('app_query', { binaryPath: '/usr/lib/x86_64-linux-gnu/libpq.so.5', functionName: 'PQexec' });
   * obj.attachUprobe('app_query_ret', { binaryPath: '/usr/bin/app', offset: 0x11a0, pid: 4242, retprobe: true });
   * ```
   */
  attachUprobe(program: string, target: UprobeTarget): BpfLink {
    this.#attachable(program);
    const t = checkUprobeTarget(program, target);
    try {
      return this.#link(program, t.point, () => this.#raw.attachUprobe(program, t.binaryPath, t.functionName, t.pid, t.retprobe, t.offset));
    } catch (e) {
      throw isBpfscopeError(e) ? uprobeError(e, program, t) : e;
    }
  }

  /**
   * Attaches a `SEC("perf_event")` program to a software cpu-clock event that
   * samples one CPU (perf_event_open + bpf_program__attach_perf_event).
   *
   * @param program - program name
   * @param target - the CPU and the sampling frequency
   * @throws {@link @bpfscope/core!AttachFailed} (no such CPU: ENODEV/EINVAL)
   */
  attachPerfEvent(program: string, target: PerfEventTarget): BpfLink {
    this.#attachable(program);
    const { cpu, frequencyHz = 49 } = target;
    const point = `perf_event:cpu-clock:cpu${cpu}`;
    if (!Number.isInteger(cpu) || cpu < 0 || !Number.isInteger(frequencyHz) || frequencyHz <= 0) {
      throw new AttachFailed(program, point, 'cpu must be an integer >= 0 and frequencyHz a positive integer');
    }
    return this.#link(program, point, () => this.#raw.attachPerfEvent(program, cpu, frequencyHz));
  }

  /**
   * Attaches a `SEC("perf_event")` program to a software cpu-clock event on
   * every online CPU: the usual way to sample the whole machine. All or
   * nothing: when one CPU fails, the links made so far are destroyed.
   *
   * @param program - program name
   * @param options - the sampling frequency on each CPU
   * @returns one link per online CPU, in CPU order
   * @throws {@link @bpfscope/core!AttachFailed} naming the CPU that failed
   */
  attachPerfEventAllCpus(program: string, options: PerfEventAllCpusOptions = {}): BpfLink[] {
    this.#attachable(program);
    const links: BpfLink[] = [];
    try {
      for (const cpu of onlineCpus()) links.push(this.attachPerfEvent(program, { cpu, ...options }));
    } catch (e) {
      for (const link of links) link.destroy();
      throw e;
    }
    return links;
  }

  /**
   * One map by name (the same BpfMap on every call).
   *
   * @param name - map name
   * @throws {@link @bpfscope/core!MapOperationFailed} (operation `open`) for an unknown name, listing the known ones
   * @throws {@link @bpfscope/core!Closed} after {@link BpfObject.close}
   */
  map(name: string): BpfMap {
    this.#usable('map');
    const known = this.#maps.get(name);
    if (known) return known;
    const raw = this.#raw.map(name);
    if (raw === undefined) {
      const names = this.#raw.maps().map((m) => m.name);
      throw new MapOperationFailed(name, 'open', `object ${this.name} has no map named ${JSON.stringify(name)}; it has ${names.join(', ') || 'no maps'}`, {
        details: { object: this.name, known: names },
      });
    }
    const map = new BpfMap(raw, raw.info(), { btf: () => this.#shared.btf.types(), guard: () => this.#usable('map') });
    this.#maps.set(name, map);
    return map;
  }

  /**
   * Runs an iterator program (`SEC("iter/task")`, `iter/bpf_map`, ...) and
   * returns everything it wrote: the program is attached once (the link stays
   * until close), each call creates a fresh iterator and reads it to the end
   * on a libuv pool thread.
   *
   * @param program - an iter/* program of the loaded object
   * @returns the bytes the program wrote with bpf_seq_write / bpf_seq_printf
   * @throws {@link @bpfscope/core!AttachFailed} when it is not an iterator program or cannot be attached
   * @throws {@link @bpfscope/core!DataUnavailable} when the read fails (e.g. E2BIG: one record larger than the kernel's buffer)
   * @example
   * ```ts
   * const tasks = await obj.readIterator('iter_task', { recordLayout: 'iter_task_rec' });
   * ```
   */
  async readIterator(program: string): Promise<Uint8Array>;
  /**
   * Runs an iterator program and decodes its fixed-size records.
   * @param program - an iter/* program of the loaded object
   * @param options - the record layout (struct name or layout) and decode options
   * @returns one record per struct the program wrote
   * @throws {@link @bpfscope/core!EventProcessingFailed} when the output is not a whole number of records
   */
  async readIterator(program: string, options: IteratorReadOptions): Promise<DecodedRecord[]>;
  async readIterator(program: string, options?: IteratorReadOptions): Promise<Uint8Array | DecodedRecord[]> {
    const link = this.#iteratorLink(program, 'readIterator');
    const layout = options === undefined ? undefined : typeof options.recordLayout === 'string' ? this.structLayout(options.recordLayout) : options.recordLayout;
    const bytes = await link.readIterator();
    return layout === undefined ? bytes : decodeRecords(bytes, layout, options?.decode);
  }

  /**
   * {@link BpfObject.readIterator} into a buffer the caller reuses from read to read: a
   * table read again and again then allocates no new buffer per read (each would wait
   * for a garbage collection to be freed). See {@link BpfLink.readIteratorInto}.
   * @param program - an iter/* program of the loaded object
   * @param into - where to read; not to be used until the promise settles
   * @returns a view of `into` with the output, or a new larger buffer when it did not fit (reuse that one next time)
   * @throws {@link @bpfscope/core!AttachFailed} when it is not an iterator program or cannot be attached
   * @throws {@link @bpfscope/core!DataUnavailable} when the read fails
   */
  async readIteratorInto(program: string, into: Uint8Array): Promise<Uint8Array> {
    return this.#iteratorLink(program, 'readIteratorInto').readIteratorInto(into);
  }

  /**
   * {@link BpfObject.readIteratorInto} on the calling thread, for a small table (see
   * {@link BpfLink.readIteratorIntoSync}); {@link IteratorTable} picks between the two.
   * @param program - an iter/* program of the loaded object
   * @param into - where to read
   * @returns a view of `into` with the output, or a new larger buffer when it did not fit
   * @throws {@link @bpfscope/core!AttachFailed} when it is not an iterator program or cannot be attached
   * @throws {@link @bpfscope/core!DataUnavailable} when the read fails
   */
  readIteratorIntoSync(program: string, into: Uint8Array): Uint8Array {
    return this.#iteratorLink(program, 'readIteratorIntoSync').readIteratorIntoSync(into);
  }

  /**
   * Run statistics of every loaded program (bpf_obj_get_info_by_fd). The kernel
   * counts only while statistics are enabled ({@link enableRunStats}, in this
   * or another process, or the sysctl kernel.bpf_stats_enabled).
   * @throws {@link @bpfscope/core!LoadFailed} when the kernel refuses the info call
   */
  programStats(): ProgramStats[] {
    this.#usable('programStats');
    try {
      return this.#raw.programStats().map(toProgramStats);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'program', object: this.name, program: '(all)', operation: 'reading run statistics' });
    }
  }

  /**
   * Pins a loaded program in bpffs; {@link openPinnedProgram} opens it from
   * any process. The pin outlives this object until {@link BpfObject.unpinProgram}
   * or its file is removed.
   * @param program - program name
   * @param path - a new path below a bpffs mount
   * @throws {@link @bpfscope/core!LoadFailed} (op `bpf_obj_pin`) for a path off bpffs, an existing file (EEXIST), or a program not loaded
   * @throws {@link @bpfscope/core!DataUnavailable} when no bpffs is mounted
   */
  pinProgram(program: string, path: string): void {
    this.#usable('pinProgram');
    if (!this.#sections.has(program)) throw new LoadFailed(this.name, this.#unknownProgram(program), '', { op: 'bpf_obj_pin' });
    const problem = pinPathProblem(path);
    if (problem !== undefined) throw new LoadFailed(this.name, `pinning program ${program}: ${problem}`, '', { op: 'bpf_obj_pin', details: { path } });
    try {
      this.#raw.pinProgram(program, path);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'program', object: this.name, program, operation: 'pinning' });
    }
    this.#programPins.set(program, path);
  }

  /**
   * Removes the pin {@link BpfObject.pinProgram} made.
   * @param program - program name
   * @throws {@link @bpfscope/core!LoadFailed} when the program was not pinned by this handle or the file cannot be removed
   */
  unpinProgram(program: string): void {
    const path = this.#programPins.get(program);
    if (path === undefined) throw new LoadFailed(this.name, `program ${program} was not pinned by pinProgram()`, '', { op: 'unlink' });
    removePin(path, (why, options) => new LoadFailed(this.name, `cannot remove the pin of ${program}: ${why}`, '', options));
    this.#programPins.delete(program);
  }

  /**
   * Opens a consumer of one or more ring buffer (`ringbuf`) maps of this
   * loaded object; see {@link RingBufferConsumer}. It polls once it has a
   * listener or an iterator, and closing the object closes it.
   *
   * @param maps - one map name, or several (one consumer drains them all and tags each record with its map)
   * @param options - batch size, abort signal, the stats map that counts kernel-side drops, iterator queue limit
   * @throws {@link @bpfscope/core!MapOperationFailed} naming a map that is unknown or not a ring buffer, or the stats map when it lacks the stats layout; also before load
   * @throws {@link @bpfscope/core!ConfigError} for a bad option value
   * @throws {@link @bpfscope/core!Closed} after {@link BpfObject.close}
   * @example
   * ```ts
   * const consumer = obj.ringBuffer('rb_events', { statsMap: 'rb_stats' });
   * consumer.onBatch((batch) => { for (const record of batch) handle(record.data); });
   * ```
   */
  ringBuffer(maps: string | readonly string[], options: RingBufferOptions = {}): RingBufferConsumer {
    this.#usable('ringBuffer');
    const consumers = this.#consumers;
    const consumer = new RingBufferConsumer(
      { name: this.name, raw: this.#raw, loaded: this.#state === 'loaded', map: (name) => this.map(name), release: (c) => consumers.delete(c) },
      maps,
      options,
    );
    if (!consumer.closed) consumers.add(consumer);
    return consumer;
  }

  /**
   * Closes the object's ring buffer consumers, detaches every link, removes the programs and maps from the kernel and frees
   * the object. A load or batch read still running finishes first, on its pool
   * thread, and the object is freed right after. Closing twice does nothing;
   * every other call after close throws {@link @bpfscope/core!Closed}.
   */
  close(): void {
    if (this.#state === 'closed') return;
    for (const consumer of [...this.#consumers]) consumer.close();
    this.#state = 'closed';
    for (const link of this.#links) link.destroy();
    this.#links.clear();
    this.#iterators.clear();
    if (--this.#shared.refs === 0) {
      this.#raw.close();
      linksChanged();
    }
    this.#onClose?.();
  }

  #usable(what: string): void {
    if (this.#state === 'closed') throw new Closed(`BPF object ${this.name}`, { details: { call: what } });
    if (this.#state === 'loading') {
      throw new LoadFailed(this.name, `${what}() was called while the object is loading; await load() first`, '', { op: what });
    }
  }

  #attachable(program: string): string {
    this.#usable('attach');
    const section = this.#sections.get(program);
    if (section === undefined) throw new AttachFailed(program, '(unknown program)', this.#unknownProgram(program));
    if (this.#state !== 'loaded') {
      throw new AttachFailed(program, section, `object ${this.name} is not loaded (${this.#state}); await load() first`);
    }
    return section;
  }

  // An iterator program is attached once; each read creates a fresh iterator on the link.
  #iteratorLink(program: string, what: string): BpfLink {
    const section = this.#attachable(program);
    if (!/^iter(\.s)?\//.test(section)) throw new AttachFailed(program, section, `${what}() needs an iterator program (section iter/...)`);
    let link = this.#iterators.get(program);
    if (link === undefined || !link.attached) {
      link = this.attach(program);
      this.#iterators.set(program, link);
    }
    return link;
  }

  #link(program: string, attachPoint: string, fn: () => RawBpfLink): BpfLink {
    let link: BpfLink;
    try {
      link = new BpfLink(fn(), this);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'attach', program, attachPoint });
    }
    for (const old of this.#links) if (!old.attached) this.#links.delete(old);
    this.#links.add(link);
    return link;
  }

  #unknownProgram(program: string): string {
    return `object ${this.name} has no program named ${JSON.stringify(program)}; it has ${[...this.#sections.keys()].join(', ') || 'none'}`;
  }

  #closedOr(e: unknown, convert: () => BpfscopeError): BpfscopeError {
    return this.#state === 'closed' ? new Closed(`BPF object ${this.name}`, { cause: e }) : convert();
  }
}
