import { Closed } from '../errors/taxonomy.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

/**
 * The time a batcher reads and the timers it sets. The default is the process's
 * monotonic clock and `setTimeout` (unref'ed); a test passes a clock it moves itself.
 */
export interface BatchClock {
  /** Monotonic time, ms. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a handle for `clear`. */
  setTimer(fn: () => void, ms: number): unknown;
  /** Cancels a timer that has not fired. */
  clearTimer(handle: unknown): void;
}

/** Why a batch was delivered. */
export type FlushTrigger = 'size' | 'time' | 'bytes' | 'flush';

/** Options of {@link createAdaptiveBatcher}. */
export interface AdaptiveBatcherOptions<E> {
  /** Receives each batch (the array is the caller's to keep). It should not throw: a throw from a timer's flush is uncaught. */
  readonly deliver: (batch: E[], trigger: FlushTrigger) => void;
  /** The time trigger: no event waits longer than this before its batch is delivered, ms. @default 5 */
  readonly maxDelayMs?: number;
  /** Smallest size the size trigger adapts down to. @default 1 */
  readonly minSize?: number;
  /** Largest batch (the size trigger at a flood). @default 100 (the engine's `batchSize`) */
  readonly maxSize?: number;
  /** The bytes trigger: a batch never holds more bytes than this (one larger event goes alone). @default Infinity */
  readonly maxBytes?: number;
  /** An event's size in bytes, for the bytes trigger. @default no bytes trigger */
  readonly sizeOf?: (event: E) => number;
  /** Weight of the newest flush interval in the arrival-rate estimate, in (0, 1]. @default 0.3 */
  readonly smoothing?: number;
  /** The clock. @default the process's monotonic clock */
  readonly clock?: BatchClock;
  /**
   * Where each event's wait in the batcher (push to delivery, µs) is recorded: several
   * batchers can share one (the engine keeps one per family).
   * @default a histogram of this batcher's own
   */
  readonly latency?: LatencyHistogram;
}

/** Figures of an {@link AdaptiveBatcher}. */
export interface BatcherStats {
  /** Events pushed. */
  readonly pushed: number;
  /** Events delivered (pushed − pending, always). */
  readonly delivered: number;
  /** Events waiting in the open batch. */
  readonly pending: number;
  /** Batches delivered, by trigger. */
  readonly batches: Readonly<Record<FlushTrigger, number>>;
  /** The size the size trigger fires at now. */
  readonly targetSize: number;
  /** Smoothed arrival rate, events/s (NaN before the first flush). */
  readonly arrivalPerSecond: number;
  /** Delivery latency (push to delivery) in microseconds, error bound as in {@link LatencyHistogram}. */
  readonly latencyUs: LatencySummary;
}

/** A batcher: push events in, batches come out of `deliver`. */
export interface AdaptiveBatcher<E> {
  /** Adds one event; may deliver a batch (size or bytes trigger) before returning. @throws {@link Closed} after `close` */
  push(event: E): void;
  /**
   * Adds events that arrived together (one ring-buffer drain): the clock is read once
   * for all of them, which is most of the cost of a push.
   * @throws {@link Closed} after `close`
   */
  pushAll(events: readonly E[]): void;
  /** Delivers the open batch now, if any. */
  flush(): void;
  /**
   * Events the open batch takes before the size trigger fires (≥ 1): a caller that takes
   * events from a queue takes this many, so that one take makes at most one batch.
   */
  room(): number;
  /** Events waiting in the open batch. */
  readonly pending: number;
  /** Delivers the open batch and stops; later pushes throw. */
  close(): void;
  /** The figures so far. */
  stats(): BatcherStats;
}

const systemClock: BatchClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Adaptive batching: events are delivered in batches, a batch going out when it
 * reaches the target size, when its oldest event has waited `maxDelayMs`, or when the
 * next event would take it past `maxBytes`. The target size follows the arrival rate:
 * about the events that arrive in `maxDelayMs` (clamped to `minSize`–`maxSize`), so a
 * flood fills `maxSize` batches and a trickle goes out small or by the timer. Each
 * event's delivery latency goes into a fixed-memory histogram (P50/P95/P99 in stats).
 * Every event pushed is delivered exactly once (on `close` at the latest).
 *
 * @param options - triggers, clock and the delivery callback
 * @returns the batcher
 */
export function createAdaptiveBatcher<E>(options: AdaptiveBatcherOptions<E>): AdaptiveBatcher<E> {
  const { deliver, sizeOf } = options;
  const clock = options.clock ?? systemClock;
  const maxDelayMs = options.maxDelayMs ?? 5;
  const minSize = options.minSize ?? 1;
  const maxSize = options.maxSize ?? 100;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const alpha = options.smoothing ?? 0.3;
  const latency = options.latency ?? new LatencyHistogram();
  const batches: Record<FlushTrigger, number> = { size: 0, time: 0, bytes: 0, flush: 0 };
  let open: E[] = [];
  // When the open batch's events were pushed, as runs: runCounts[k] events at runTimes[k]
  // (the events of one pushAll share one clock reading, and one histogram update at send).
  const runTimes: number[] = [];
  const runCounts: number[] = [];
  let bytes = 0;
  let timer: unknown;
  let pushed = 0;
  let delivered = 0;
  let closed = false;
  let target = minSize;
  let ratePerMs = Number.NaN;
  let lastFlush = Number.NaN;
  let sinceFlush = 0;

  const adapt = (now: number): void => {
    if (!Number.isNaN(lastFlush)) {
      const observed = sinceFlush / Math.max(now - lastFlush, 1e-3);
      ratePerMs = Number.isNaN(ratePerMs) ? observed : alpha * observed + (1 - alpha) * ratePerMs;
      target = Math.min(maxSize, Math.max(minSize, Math.ceil(ratePerMs * maxDelayMs)));
    }
    lastFlush = now;
    sinceFlush = 0;
  };

  const send = (trigger: FlushTrigger): void => {
    if (timer !== undefined) {
      clock.clearTimer(timer);
      timer = undefined;
    }
    if (open.length === 0) return;
    const now = clock.now();
    const batch = open;
    for (let k = 0; k < runTimes.length; k++) latency.record((now - runTimes[k]!) * 1000, runCounts[k]!);
    open = [];
    runTimes.length = 0;
    runCounts.length = 0;
    bytes = 0;
    delivered += batch.length;
    batches[trigger]++;
    adapt(now);
    deliver(batch, trigger);
  };

  const pushedRun = (now: number, count: number): void => {
    const last = runTimes.length - 1;
    if (last >= 0 && runTimes[last] === now) runCounts[last]! += count;
    else {
      runTimes.push(now);
      runCounts.push(count);
    }
  };

  const add = (event: E, now: number): void => {
    const size = sizeOf === undefined ? 0 : sizeOf(event);
    if (open.length > 0 && bytes + size > maxBytes) send('bytes');
    pushed++;
    sinceFlush++;
    open.push(event);
    pushedRun(now, 1);
    bytes += size;
    if (size > 0 && bytes >= maxBytes) send('bytes');
    else if (open.length >= target) send('size');
    else if (timer === undefined) timer = clock.setTimer(() => send('time'), maxDelayMs);
  };

  // pushAll with no bytes trigger: as many events at once as the open batch has room for.
  const addRun = (events: readonly E[], now: number): void => {
    const n = events.length;
    let i = 0;
    while (i < n) {
      const k = Math.min(n - i, Math.max(1, target - open.length));
      for (let j = 0; j < k; j++) open.push(events[i + j]!);
      i += k;
      pushed += k;
      sinceFlush += k;
      pushedRun(now, k);
      if (open.length >= target) send('size');
      else if (timer === undefined) timer = clock.setTimer(() => send('time'), maxDelayMs);
    }
  };

  return {
    push(event: E) {
      if (closed) throw new Closed('adaptive batcher');
      add(event, clock.now());
    },
    pushAll(events: readonly E[]) {
      if (closed) throw new Closed('adaptive batcher');
      if (events.length === 0) return;
      const now = clock.now();
      if (sizeOf === undefined) addRun(events, now);
      else for (const e of events) add(e, now);
    },
    flush: () => send('flush'),
    room: () => Math.max(1, target - open.length),
    get pending() {
      return open.length;
    },
    close() {
      if (closed) return;
      send('flush');
      closed = true;
    },
    stats: (): BatcherStats => ({
      pushed,
      delivered,
      pending: open.length,
      batches: { ...batches },
      targetSize: target,
      arrivalPerSecond: ratePerMs * 1000,
      latencyUs: latency.summary(),
    }),
  };
}
