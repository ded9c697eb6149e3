// One kernel sampling event source in objects that every engine of a process shares (the
// object cache gives each engine a handle on the same kernel object): proc's and mem's
// objects have one such source, so one setting serves every engine, and one engine at a
// time may put it there.
import type { KernelSamplingCounts, KernelSamplingSetting, KernelSamplingState } from '@bpfscope/core';
import type { BpfObject } from './bpf-object.js';
import { KernelSamplingMaps } from './sampling-maps.js';

const ZERO: KernelSamplingCounts = { offered: 0, passed: 0, highPassed: 0, sampledAway: 0, uniformAway: 0, tailAway: 0, refused: 0, contended: 0 };

/** One kernel object of the slot: a handle per opener (any open one reads and writes), and its counts when first seen. */
interface OpenObject {
  readonly handles: Map<BpfObject, KernelSamplingMaps>;
  readonly base: KernelSamplingCounts;
}

const slots = new Map<string, SharedSamplingSlot>();

/**
 * One event source (a slot of the maps `BPFSCOPE_SAMPLING_MAPS(prefix, n)` declares) of the
 * objects loaded from one file in this process, shared by its engines. One setting for all
 * of them, so one holder at a time: the first holder (an engine's source) that puts a
 * non-null setting in holds the slot until it puts null or releases it (its source
 * closes); meanwhile another holder's push writes nothing and is refused (its setting
 * stays in user space), and its release writes nothing. Every object of the slot gets the
 * holder's setting when it is first opened and at every change. Counts are the objects':
 * every engine's events offered to the setting in force, summed over the objects from the
 * moment the slot first saw each (so an object opened again is not counted twice).
 * @internal
 */
export class SharedSamplingSlot {
  #holder: object | null = null;
  #setting: KernelSamplingSetting | null = null;
  /** Open kernel objects, by the id of their `<prefix>_cfg` map (unique while the object is loaded). */
  readonly #open = new Map<number, OpenObject>();
  /** Counts of objects no opener holds any more. */
  #past: KernelSamplingCounts = ZERO;

  private constructor(
    private readonly prefix: string,
    private readonly source: number,
    private readonly classOf: (kind: string | number, path: string) => number,
    private readonly path: string,
  ) {}

  /**
   * The process's slot for `objectPath`'s maps `prefix` (made on first use).
   * @param prefix - the maps' prefix (`proc_smp`)
   * @param objectPath - the object file its engines load
   * @param source - the event source's slot in the maps
   * @param classOf - the family's class number of an event kind
   * @param path - the setting's config path, for errors
   * @returns the one slot of the process
   */
  static of(prefix: string, objectPath: string, source: number, classOf: (kind: string | number, path: string) => number, path: string): SharedSamplingSlot {
    const key = `${prefix}\0${source}\0${objectPath}`;
    let slot = slots.get(key);
    if (slot === undefined) slots.set(key, (slot = new SharedSamplingSlot(prefix, source, classOf, path)));
    return slot;
  }

  /** @param holder - the asking source @returns the setting in force and whether another holder put it there */
  state(holder: object): KernelSamplingState {
    return { setting: this.#setting, otherEngine: this.#holder !== null && this.#holder !== holder };
  }

  /**
   * Puts `setting` in force for `holder` in every open object (null gives the slot up),
   * unless another holder has it.
   * @param holder - the asking source
   * @param setting - the kernel part to apply
   * @returns whether it is in force now (false: another holder has the slot; nothing was written)
   * @throws {@link @bpfscope/core!ConfigError} when the maps refuse it (the previous setting is put back)
   */
  push(holder: object, setting: KernelSamplingSetting | null): boolean {
    if (this.#holder !== null && this.#holder !== holder) return false;
    try {
      for (const o of this.#open.values()) this.#apply(o, setting);
    } catch (e) {
      for (const o of this.#open.values()) this.#apply(o, this.#setting);
      throw e;
    }
    this.#setting = setting;
    this.#holder = setting === null ? null : holder;
    return true;
  }

  /** `holder` is done (its source closes): when it holds the slot, the slot goes back to null. @param holder - the source */
  release(holder: object): void {
    if (this.#holder === holder) this.push(holder, null);
  }

  /** A handle on an object of the slot was opened: a kernel object seen for the first time gets the setting in force. @param obj - the handle */
  opened(obj: BpfObject): void {
    const key = obj.map(`${this.prefix}_cfg`).id;
    const maps = new KernelSamplingMaps(obj, this.prefix);
    const known = this.#open.get(key);
    if (known !== undefined) {
      known.handles.set(obj, maps);
      return;
    }
    maps.apply(this.source, this.#setting, this.classOf, this.path);
    this.#open.set(key, { handles: new Map([[obj, maps]]), base: maps.counts(this.source) });
  }

  /** The handle is about to close (call before closing it). @param obj - the handle */
  closed(obj: BpfObject): void {
    for (const [key, o] of this.#open) {
      const maps = o.handles.get(obj);
      if (maps === undefined) continue;
      if (o.handles.size === 1) {
        this.#past = add(this.#past, since(maps.counts(this.source), o.base));
        this.#open.delete(key);
      } else o.handles.delete(obj);
      return;
    }
  }

  /** @returns the counts over every object of the slot, process-wide, since the process first opened each */
  counts(): KernelSamplingCounts {
    let sum = this.#past;
    for (const o of this.#open.values()) sum = add(sum, since(first(o).counts(this.source), o.base));
    return sum;
  }

  /** @param base - counts read earlier (a source's, when it started) @returns {@link SharedSamplingSlot.counts} since `base` */
  countsSince(base: KernelSamplingCounts): KernelSamplingCounts {
    return since(this.counts(), base);
  }

  #apply(o: OpenObject, setting: KernelSamplingSetting | null): void {
    first(o).apply(this.source, setting, this.classOf, this.path);
  }
}

function first(o: OpenObject): KernelSamplingMaps {
  return o.handles.values().next().value as KernelSamplingMaps;
}

function add(a: KernelSamplingCounts, b: KernelSamplingCounts): KernelSamplingCounts {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof KernelSamplingCounts)[]) out[k] += b[k];
  return out;
}

function since(now: KernelSamplingCounts, base: KernelSamplingCounts): KernelSamplingCounts {
  const out = { ...now };
  for (const k of Object.keys(out) as (keyof KernelSamplingCounts)[]) out[k] -= base[k];
  return out;
}
