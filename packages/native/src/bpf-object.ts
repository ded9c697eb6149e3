import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AttachFailed, BtfUnavailable, Closed, isBpfscopeError, LoadFailed, MapOperationFailed, Timeout, type BpfscopeError } from '@bpfscope/core';
import { autoAttachError, checkUprobeTarget, onlineCpus, uprobeError } from './attach-targets.js';
import { BpfLink } from './bpf-link.js';
import { BpfMap } from './bpf-map.js';
import { checkBpfElf } from './elf-check.js';
import { loadNative } from './loader.js';
import { toBpfscopeError } from './native-error.js';
import { RingBufferConsumer } from './ring-buffer.js';
import type { RingBufferOptions } from './ring-buffer-options.js';
import type { LoadOptions, MapInfo, OpenOptions, PerfEventAllCpusOptions, PerfEventTarget, ProgramInfo, UprobeTarget } from './object-types.js';
import type { RawBpfLink, RawBpfObject } from './raw-binding.js';

type State = 'opened' | 'loading' | 'loaded' | 'failed' | 'closed';

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
  readonly #raw: RawBpfObject;
  readonly #maps = new Map<string, BpfMap>();
  readonly #sections: ReadonlyMap<string, string>;
  readonly #consumers = new Set<RingBufferConsumer>();
  #state: State = 'opened';

  private constructor(raw: RawBpfObject, name: string) {
    this.#raw = raw;
    this.name = name;
    this.#sections = new Map(raw.programs().map((p) => [p.name, p.section]));
  }

  /**
   * Opens an object from a file path or its bytes. Synchronous; nothing reaches
   * the kernel until {@link BpfObject.load}.
   *
   * @param source - path of a .bpf.o, or its contents
   * @param options - BTF path and object name
   * @throws {@link @bpfscope/core!LoadFailed} for an unreadable file, a file that is not an eBPF ELF object, a truncated or corrupt one
   * @throws {@link @bpfscope/core!BtfUnavailable} when `btfPath` does not exist
   * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
   */
  static open(source: string | Uint8Array, options: OpenOptions = {}): BpfObject {
    const native = loadNative();
    let image: Uint8Array;
    let name: string;
    if (typeof source === 'string') {
      name = options.name ?? basename(source).replace(/(\.bpf)?\.o$/, '');
      try {
        image = readFileSync(source);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new LoadFailed(name, `cannot read ${source}: ${err.message}`, '', { op: 'open', errno: errnoOf(err), cause: e, details: { path: source } });
      }
    } else if (source instanceof Uint8Array) {
      name = options.name ?? 'bpf_object';
      image = source;
    } else {
      throw new TypeError('BpfObject.open(source): source must be a path or a Uint8Array');
    }
    const problem = checkBpfElf(image);
    if (problem !== undefined) {
      const where = typeof source === 'string' ? { path: source } : {};
      throw new LoadFailed(name, typeof source === 'string' ? `${source}: ${problem}` : problem, '', { op: 'elf check', details: { bytes: image.length, ...where } });
    }
    if (options.btfPath !== undefined && !existsSync(options.btfPath)) {
      throw new BtfUnavailable([options.btfPath], { details: { object: name } });
    }
    try {
      return new BpfObject(new native.BpfObject(image, name, options.btfPath), name);
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'load', object: name, sections: new Map() });
    }
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
    pending.catch(() => undefined); // settled after a timeout: nobody waits for it any more
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.close();
        reject(new Timeout(`loading ${this.name}`, timeoutMs));
      }, timeoutMs);
    });
    try {
      await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
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
    return this.#raw.maps().map(({ name, type, keySize, valueSize, maxEntries, perCpu }) => ({ name, type, keySize, valueSize, maxEntries, perCpu }));
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
    const map = new BpfMap(raw, raw.info());
    this.#maps.set(name, map);
    return map;
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
    this.#raw.close();
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

  #link(program: string, attachPoint: string, fn: () => RawBpfLink): BpfLink {
    try {
      return new BpfLink(fn());
    } catch (e) {
      throw toBpfscopeError(e, { kind: 'attach', program, attachPoint });
    }
  }

  #unknownProgram(program: string): string {
    return `object ${this.name} has no program named ${JSON.stringify(program)}; it has ${[...this.#sections.keys()].join(', ') || 'none'}`;
  }

  #closedOr(e: unknown, convert: () => BpfscopeError): BpfscopeError {
    return this.#state === 'closed' ? new Closed(`BPF object ${this.name}`, { cause: e }) : convert();
  }
}

function errnoOf(e: NodeJS.ErrnoException): number | undefined {
  return typeof e.errno === 'number' ? Math.abs(e.errno) : undefined;
}
