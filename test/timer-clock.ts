// A clock the test moves, for code that takes time and sets timers through an injected
// clock (the engine's Clock and the adaptive batcher's BatchClock): time moves only in
// `advance`, which fires the timers that fall due, in order, each at its own time.
import type { BatchClock, Clock } from '@bpfscope/core';

export class TimerClock implements Clock, BatchClock {
  private t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  /** @param wallStart - wall-clock time at 0, ms since the epoch */
  constructor(private readonly wallStart = 0) {}
  now(): number {
    return this.t;
  }
  wallMs(): number {
    return this.wallStart + this.t;
  }
  monotonicNs(): bigint {
    return BigInt(Math.round(this.t * 1e6));
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.ids++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  /** Timers set and not yet fired or cleared. */
  get armed(): number {
    return this.timers.length;
  }
  /** Moves time by `ms`, firing each timer that falls due at its time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let due = this.#due(end); due !== undefined; due = this.#due(end)) due.fn();
    this.t = end;
  }
  /** As {@link TimerClock.advance}, awaiting `turn()` after each timer and at the end (lets the code under test run). */
  async advanceAsync(ms: number, turn: () => Promise<void>): Promise<void> {
    const end = this.t + ms;
    for (let due = this.#due(end); due !== undefined; due = this.#due(end)) {
      due.fn();
      await turn();
    }
    this.t = end;
    await turn();
  }
  /** The next timer due by `end`, taken off the list with time moved to it, or undefined. */
  #due(end: number): { fn: () => void } | undefined {
    this.timers.sort((a, b) => a.at - b.at);
    const due = this.timers[0];
    if (due === undefined || due.at > end) return undefined;
    this.timers.shift();
    this.t = due.at;
    return due;
  }
}
