import type { BpfObject } from '@bpfscope/native';

/** What the sources sharing one loaded cpu object agree on about its run-queue part. */
interface Shared {
  /** The sources holding the object. */
  readonly holders: Set<object>;
  /** Of them, those whose governor asked the run-queue part off, with the reason. */
  readonly shedding: Map<object, string>;
  /** Whether the program's `cpu_runq_shed` is set now. */
  off: boolean;
  /** Times the part came back on: a source that saw another count starts its histogram again. */
  returns: number;
  /** The wall time (ms) the part last came back on. */
  onSinceMs: number;
  /** The run-queue histogram (summed over CPUs) read right after it came back on. */
  onHist: bigint[];
}

/** By the kernel id of the object's cpu_switch program: each engine's handle on the one loaded object is its own `BpfObject`. */
const shared = new Map<number, Shared>();

/**
 * The run-queue latency part of `cpu_switch`, turned off and on at run time through the
 * program's `.bss` global `cpu_runq_shed` (a map update, no reload: the time counters go on
 * exactly). The object and its links are shared by every engine of the process, so the part
 * is off only while every source holding the object asks it off: a source that sheds it
 * alone keeps reading it (the cost stays and its governor says so). @internal
 */
export class RunqSwitch {
  readonly #object: BpfObject;
  readonly #state: Shared;
  readonly #key: number;
  readonly #token = {};
  #seenReturns: number;

  /**
   * @param object - the loaded cpu object
   * @param readHist - reads its run-queue histogram, summed over CPUs
   * @param wallMs - the wall clock, ms
   */
  constructor(object: BpfObject, private readonly readHist: () => bigint[], private readonly wallMs: () => number) {
    this.#object = object;
    const program = object.programStats().find((p) => p.name === 'cpu_switch');
    if (!program) throw new Error('cpu.bpf.o has no cpu_switch program');
    this.#key = program.id;
    let state = shared.get(this.#key);
    if (!state) {
      state = { holders: new Set(), shedding: new Map(), off: false, returns: 0, onSinceMs: 0, onHist: [] };
      shared.set(this.#key, state);
    }
    this.#state = state;
    state.holders.add(this.#token);
    this.#seenReturns = state.returns;
    this.#apply();
  }

  /** Whether the part is off now, and why (the reason of this source's governor, or of another's). */
  offReason(): string | null {
    if (!this.#state.off) return null;
    return this.#state.shedding.get(this.#token) ?? [...this.#state.shedding.values()][0] ?? null;
  }

  /**
   * Whether the part came back on since this source last asked: the source then counts its
   * histogram again from `hist`, at the wall time `sinceMs`.
   * @returns the histogram and wall time (ms) of the return, or null
   */
  takeReturn(): { hist: bigint[]; sinceMs: number } | null {
    if (this.#seenReturns === this.#state.returns) return null;
    this.#seenReturns = this.#state.returns;
    return { hist: this.#state.onHist, sinceMs: this.#state.onSinceMs };
  }

  /**
   * Ask the part off (with the reason) or on again.
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
    if (!bss) throw new Error('cpu.bpf.o has no .bss map (cpu_runq_shed): rebuild the object');
    const map = this.#object.map(bss.name);
    const value = new Uint8Array(map.valueSize);
    new DataView(value.buffer).setUint32(0, off ? 1 : 0, true);
    map.update(new Uint8Array(4), value);
    s.off = off;
    if (!off) {
      // The histogram after the write, the time after the histogram: a wait the histogram
      // leaves out ended before the time the source reports.
      s.onHist = this.readHist();
      s.onSinceMs = this.wallMs();
      s.returns++;
    }
  }
}
