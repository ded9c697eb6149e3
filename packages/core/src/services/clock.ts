/**
 * The clock service (token {@link CLOCK}): one place for time, so that a source's
 * intervals and timestamps come from the same clock as the engine's.
 */
export interface Clock {
  /** Monotonic time, ns (CLOCK_MONOTONIC, the clock eBPF's `bpf_ktime_get_ns` reads). */
  monotonicNs(): bigint;
  /** Wall-clock time, ms since the epoch. */
  wallMs(): number;
}

/** The system clock: `process.hrtime.bigint()` and `Date.now()`. The engine registers it under {@link CLOCK}. */
export const systemClock: Clock = Object.freeze({
  monotonicNs: () => process.hrtime.bigint(),
  wallMs: () => Date.now(),
});
