import type { BpfObject } from '@bpfscope/native';

/** What the sources sharing one loaded net object agree on about its per-process and per-host accounting. */
interface Shared {
  readonly holders: Set<object>;
  /** Those whose governor asked it off, with the reason. */
  readonly shedding: Map<object, string>;
  off: boolean;
  /** The spans it was off, wall ms (`to` null while off now). */
  readonly spans: Array<{ from: number; to: number | null; reason: string }>;
}

/** By the kernel id of the object's net_send program: each engine's handle on the one loaded object is its own `BpfObject`. */
const shared = new Map<number, Shared>();

/**
 * The per-process and per-host accounting of the net programs, turned off and on at run time
 * through the object's `.bss` global `net_detail_off` (a map update, no reload: the socket
 * storage, the connection table and the totals go on). The object is shared by the engines of
 * the process, so the accounting is off only while every source holding it asks it off. @internal
 */
export class DetailSwitch {
  readonly #object: BpfObject;
  readonly #state: Shared;
  readonly #key: number;
  readonly #token = {};
  readonly #fromMs: number;

  /**
   * @param object - the loaded net object
   * @param wallMs - the wall clock, ms
   */
  constructor(object: BpfObject, private readonly wallMs: () => number) {
    this.#object = object;
    const program = object.programStats().find((p) => p.name === 'net_send');
    if (!program) throw new Error('net.bpf.o has no net_send program');
    this.#key = program.id;
    let state = shared.get(this.#key);
    if (!state) {
      state = { holders: new Set(), shedding: new Map(), off: false, spans: [] };
      shared.set(this.#key, state);
    }
    this.#state = state;
    state.holders.add(this.#token);
    this.#fromMs = wallMs();
    this.#apply();
  }

  /** Why the accounting is off now (this source's governor's reason, or another's), or null. */
  offReason(): string | null {
    if (!this.#state.off) return null;
    return this.#state.shedding.get(this.#token) ?? [...this.#state.shedding.values()][0] ?? null;
  }

  /** The spans since this source started in which the accounting was off, ended ones only. */
  pastSpans(): ReadonlyArray<{ from: number; to: number; reason: string }> {
    return this.#state.spans.filter((s): s is { from: number; to: number; reason: string } => s.to !== null && s.to > this.#fromMs);
  }

  /**
   * Ask the accounting off (with the reason) or on again.
   * @param off - whether to shed it
   * @param reason - the governor's reason
   */
  set(off: boolean, reason: string): void {
    if (off) this.#state.shedding.set(this.#token, reason);
    else this.#state.shedding.delete(this.#token);
    this.#apply();
  }

  /** Let go of the object: the others decide without this source. */
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
    if (!bss) throw new Error('net.bpf.o has no .bss map (net_detail_off): rebuild the object');
    const map = this.#object.map(bss.name);
    const value = new Uint8Array(map.valueSize);
    new DataView(value.buffer).setUint32(0, off ? 1 : 0, true);
    map.update(new Uint8Array(4), value);
    s.off = off;
    const now = this.wallMs();
    if (off) s.spans.push({ from: now, to: null, reason: [...s.shedding.values()][0] ?? '' });
    else {
      const last = s.spans[s.spans.length - 1];
      if (last) last.to = now;
    }
  }
}
