import { SharedShedFlag, type BpfObject } from '@bpfscope/native';

/** What the sources sharing one loaded cpu object keep about the run-queue part's returns. */
interface Returns {
  /** Times the part came back on: a source that saw another count starts its histogram again. */
  count: number;
  /** The wall time (ms) the part last came back on. */
  sinceMs: number;
  /** The run-queue histogram (summed over CPUs) read right after it came back on. */
  hist: bigint[];
}

/**
 * The run-queue latency part of `cpu_switch`, turned off and on at run time through the
 * program's `.bss` global `cpu_runq_shed` (a map update, no reload: the time counters go on
 * exactly). The object and its links are shared by every engine of the process, so the part
 * is off only while every source holding the object asks it off: a source that sheds it
 * alone keeps reading it (the cost stays and its governor says so). @internal
 */
export class RunqSwitch {
  readonly #flag: SharedShedFlag<Returns>;
  #seen: number;

  /**
   * @param object - the loaded cpu object
   * @param readHist - reads its run-queue histogram, summed over CPUs
   * @param wallMs - the wall clock, ms
   */
  constructor(object: BpfObject, readHist: () => bigint[], wallMs: () => number) {
    this.#flag = new SharedShedFlag<Returns>(object, {
      program: 'cpu_switch',
      global: 'cpu_runq_shed',
      init: () => ({ count: 0, sinceMs: 0, hist: [] }),
      onFlip: (off, r) => {
        if (off) return;
        // The histogram after the write, the time after the histogram: a wait the histogram
        // leaves out ended before the time the source reports.
        r.hist = readHist();
        r.sinceMs = wallMs();
        r.count++;
      },
    });
    this.#seen = this.#flag.extra.count;
  }

  /** Whether the part is off now, and why (the reason of this source's governor, or of another's). */
  offReason(): string | null {
    return this.#flag.offReason();
  }

  /**
   * Whether the part came back on since this source last asked: the source then counts its
   * histogram again from `hist`, at the wall time `sinceMs`.
   * @returns the histogram and wall time (ms) of the return, or null
   */
  takeReturn(): { hist: bigint[]; sinceMs: number } | null {
    const r = this.#flag.extra;
    if (this.#seen === r.count) return null;
    this.#seen = r.count;
    return { hist: r.hist, sinceMs: r.sinceMs };
  }

  /**
   * Ask the part off (with the reason) or on again.
   * @param off - whether to shed it
   * @param reason - the governor's reason
   */
  set(off: boolean, reason: string): void {
    this.#flag.set(off, reason);
  }

  /** Let go of the object: the others decide without this source. */
  release(): void {
    this.#flag.release();
  }
}
