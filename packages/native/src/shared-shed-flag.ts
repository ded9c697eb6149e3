// A run-time switch of a loaded object that the engines of a process share: a `.bss`
// global (one u32) that the object's programs test to skip a costly part. Each engine
// holds the object through its own `BpfObject`, so the holders meet by the kernel id of one
// of its programs; the part goes off only while every holder asks it off.
import { LoadFailed } from '@bpfscope/core';
import type { BpfObject } from './bpf-object.js';

interface Shared<T> {
  readonly holders: Set<object>;
  /** Of the holders, those that asked the part off, with their reasons. */
  readonly shedding: Map<object, string>;
  off: boolean;
  /** What the users of the switch keep about its flips, shared by all holders. */
  readonly extra: T;
}

const shared = new Map<string, Shared<unknown>>();

/** Where the switch lives and what its users keep about its flips. @internal */
export interface SharedShedFlagSpec<T> {
  /** A program of the object: its kernel id names the loaded object. */
  readonly program: string;
  /** The `.bss` global the programs test (the object's only `.bss` variable). */
  readonly global: string;
  /** The shared record of flips, made by the first holder. */
  readonly init: () => T;
  /** Called after each write of the global with the new state and the reasons of those shedding it. */
  readonly onFlip: (off: boolean, extra: T, reasons: readonly string[]) => void;
}

/**
 * One holder's handle on a shared run-time switch of a loaded object (the overhead
 * governor's levels of the cpu and net families). @internal
 */
export class SharedShedFlag<T> {
  readonly #object: BpfObject;
  readonly #state: Shared<T>;
  readonly #key: string;
  readonly #token = {};

  /**
   * @param object - this holder's handle on the loaded object
   * @param spec - the program, the global and the record of flips
   * @throws {@link @bpfscope/core!LoadFailed} when the object lacks the program or a one-variable `.bss`
   */
  constructor(object: BpfObject, private readonly spec: SharedShedFlagSpec<T>) {
    this.#object = object;
    const program = object.programStats().find((p) => p.name === spec.program);
    if (!program) throw new LoadFailed(object.name, `it has no ${spec.program} program`, '', { remedy: 'use the object shipped with the package, or rebuild it with npm run build:bpf' });
    this.#key = `${spec.program}#${program.id}`;
    let state = shared.get(this.#key) as Shared<T> | undefined;
    if (!state) {
      state = { holders: new Set(), shedding: new Map(), off: false, extra: spec.init() };
      shared.set(this.#key, state);
    }
    this.#state = state;
    state.holders.add(this.#token);
    this.#apply();
  }

  /** The record of flips all holders share. */
  get extra(): T {
    return this.#state.extra;
  }

  /** Why the part is off now (this holder's reason, or another's), or null while it is on. */
  offReason(): string | null {
    if (!this.#state.off) return null;
    return this.#state.shedding.get(this.#token) ?? [...this.#state.shedding.values()][0] ?? null;
  }

  /**
   * Ask the part off (with the reason) or on again.
   * @param off - whether to shed it
   * @param reason - why
   */
  set(off: boolean, reason: string): void {
    if (off) this.#state.shedding.set(this.#token, reason);
    else this.#state.shedding.delete(this.#token);
    this.#apply();
  }

  /** Let go of the object: the others decide without this holder. */
  release(): void {
    this.#state.holders.delete(this.#token);
    this.#state.shedding.delete(this.#token);
    if (this.#state.holders.size > 0) this.#apply();
    else shared.delete(this.#key);
  }

  #apply(): void {
    const s = this.#state;
    const off = s.holders.size > 0 && s.shedding.size === s.holders.size;
    if (off === s.off) return;
    const bss = this.#object.maps().find((m) => m.name.endsWith('.bss'));
    const map = bss && this.#object.map(bss.name);
    if (!map || map.valueSize !== 4) {
      throw new LoadFailed(this.#object.name, `it has no one-variable .bss map holding ${this.spec.global}`, '', { remedy: 'rebuild the object with npm run build:bpf' });
    }
    const value = new Uint8Array(4);
    new DataView(value.buffer).setUint32(0, off ? 1 : 0, true);
    map.update(new Uint8Array(4), value);
    s.off = off;
    this.spec.onFlip(off, s.extra, [...s.shedding.values()]);
  }
}
