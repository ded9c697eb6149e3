import { MapUpdateFlags, type BpfMap, type BpfObject } from '@bpfscope/native';
import type { BlockLayouts } from './block-layouts.js';

/** What the parts sharing one loaded block object ask of its settings. */
interface Shared {
  /** Each part's slow-io threshold, ns. */
  thresholds: Map<object, bigint>;
  /** Open event streams of each part. */
  streams: Map<object, number>;
  /** The part whose devices filter is in the kernel, or null. */
  filterHolder: object | null;
  /** The dev_t values in fs_blk_fdev now. */
  filtered: Set<number>;
}

/** By the id of each loaded object's fs_blk_cfg map: the engines of a process share the object. */
const shared = new Map<number, Shared>();

/**
 * The block object's run-time settings (fs_blk_cfg and the devices set fs_blk_fdev), shared
 * by every engine of the process that uses the object: the kernel threshold is the lowest of
 * the parts' thresholds (each stream keeps its own part's events), events take ring space
 * while any part has a stream open, and the devices filter belongs to the first part that
 * sets one, until it clears it or closes; another part's filter then stays in user space.
 * @internal
 */
export class BlockSettings {
  readonly #state: Shared;
  readonly #id: number;
  readonly #cfg: BpfMap;
  readonly #fdev: BpfMap;

  constructor(obj: BpfObject, private readonly layouts: BlockLayouts, thresholdUs: number) {
    this.#cfg = obj.map('fs_blk_cfg');
    this.#fdev = obj.map('fs_blk_fdev');
    this.#id = this.#cfg.id;
    let s = shared.get(this.#id);
    if (s === undefined) {
      s = { thresholds: new Map(), streams: new Map(), filterHolder: null, filtered: new Set() };
      shared.set(this.#id, s);
    }
    this.#state = s;
    s.thresholds.set(this, BigInt(thresholdUs) * 1000n);
    this.#write();
  }

  /** Whether this part may set the devices filter (it holds it, or nobody does). */
  get free(): boolean {
    return this.#state.filterHolder === null || this.#state.filterHolder === this;
  }

  /** Whether another part of the process holds the devices filter. */
  get heldElsewhere(): boolean {
    return !this.free;
  }

  /**
   * Put a devices filter in force (null: none). The new devices are added before those left
   * out are removed, so a change never drops a device kept in both.
   * @returns false when another part holds the filter (nothing written)
   */
  setDevices(devs: ReadonlySet<number> | null): boolean {
    const s = this.#state;
    if (!this.free) return false;
    const one = Uint8Array.of(1);
    if (devs !== null) for (const d of devs) if (!s.filtered.has(d)) this.#fdev.update(u32(d), one, MapUpdateFlags.ANY);
    s.filterHolder = devs === null ? null : this;
    this.#write();
    for (const d of [...s.filtered]) {
      if (devs !== null && devs.has(d)) continue;
      this.#fdev.delete(u32(d));
    }
    s.filtered = new Set(devs ?? []);
    return true;
  }

  /** One more (+1) or one fewer (−1) open event stream of this part. */
  streams(delta: 1 | -1): void {
    const n = Math.max(0, (this.#state.streams.get(this) ?? 0) + delta);
    if (n === 0) this.#state.streams.delete(this);
    else this.#state.streams.set(this, n);
    this.#write();
  }

  /** The part closes: its threshold, streams and filter go. */
  release(): void {
    const s = this.#state;
    if (!s.thresholds.has(this)) return;
    if (s.filterHolder === this) this.setDevices(null);
    s.thresholds.delete(this);
    s.streams.delete(this);
    if (s.thresholds.size === 0) shared.delete(this.#id);
    else this.#write();
  }

  #write(): void {
    const s = this.#state;
    const o = this.layouts.cfg;
    let slow: bigint | null = null;
    for (const t of s.thresholds.values()) if (slow === null || t < slow) slow = t;
    let streams = 0;
    for (const n of s.streams.values()) streams += n;
    const value = new Uint8Array(o.size);
    const v = new DataView(value.buffer);
    v.setBigUint64(o.slow_ns, slow ?? 0n, true);
    v.setUint32(o.filter_on, s.filterHolder === null ? 0 : 1, true);
    v.setUint32(o.streams, streams, true);
    this.#cfg.update(u32(0), value, MapUpdateFlags.ANY);
  }
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
