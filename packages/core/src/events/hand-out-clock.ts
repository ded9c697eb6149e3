import type { EngineStreamSampling } from './engine-event-stream.js';

/** Most hand-outs one clock reading serves. */
const MAX_EVERY = 64;
/** While the hand-outs one reading served took less than this (ns), a reading serves twice as many. */
const GROW_BELOW_NS = 16_000;
/** When they took more than this (ns), every hand-out reads the clock again. */
const RESET_ABOVE_NS = 32_000;

/**
 * The "now" of `engine.events()` hand-outs, for each event's delivery latency (event time
 * to hand-out). A clock reading costs about as much as the rest of a hand-out, so one
 * reading serves several hand-outs of one run (events handed out with no wait and no
 * turn of the event loop between them): the first hand-out after a wait or a turn reads
 * the clock, and then every k-th, where k doubles (up to 64) while k hand-outs take the
 * consumer less than 16 µs and drops back to 1 when they take more than 32 µs. An event
 * handed out between two readings is measured against the earlier one: its latency reads
 * low by the consumer's time since then, under 32 µs while the consumer's pace per event
 * holds. @internal
 */
export class HandOutClock<E> {
  #nowNs = 0;
  #wallMs = Number.NaN;
  #left = 0;
  #every = 1;
  /** The last reading was made in the current run. */
  #inRun = false;

  constructor(private readonly s: Pick<EngineStreamSampling<E>, 'nowMs' | 'monotonicNs' | 'accessors'>) {}

  /** The stream waited for its source or let the loop turn: the next hand-out reads the clock. */
  invalidate(): void {
    this.#left = 0;
    this.#inRun = false;
  }

  /**
   * The delivery latency of `event`, handed out now, µs: from its bigint `monotonicNs`
   * (syscall's kernel timestamp) on the monotonic clock, else from its time
   * (`accessors.timeMs`) on the wall clock.
   */
  latencyUs(event: E): number {
    if (this.#left === 0) this.#read();
    this.#left--;
    const mono = typeof event === 'object' && event !== null ? (event as { monotonicNs?: unknown }).monotonicNs : undefined;
    if (typeof mono === 'bigint') return (this.#nowNs - Number(mono)) / 1000;
    if (Number.isNaN(this.#wallMs)) this.#wallMs = this.s.nowMs();
    return (this.#wallMs - this.s.accessors.timeMs(event)) * 1000;
  }

  #read(): void {
    const now = Number(this.s.monotonicNs());
    if (this.#inRun) {
      const spent = now - this.#nowNs; // the consumer's time on the hand-outs the last reading served
      if (spent > RESET_ABOVE_NS) this.#every = 1;
      else if (spent < GROW_BELOW_NS && this.#every < MAX_EVERY) this.#every *= 2;
    }
    this.#nowNs = now;
    this.#wallMs = Number.NaN;
    this.#left = this.#every;
    this.#inRun = true;
  }
}
