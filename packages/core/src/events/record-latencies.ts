import type { LatencyHistogram } from '../sampling/latency-histogram.js';
import type { EngineStreamSampling } from './engine-event-stream.js';

/**
 * Records the delivery latency (event time to now, µs) of every event of a batch handed
 * out now, reading the clock once for the batch. An event with a bigint `monotonicNs`
 * (syscall's kernel timestamp) is measured on the engine clock's monotonic time; any other
 * by its time (`accessors.timeMs`) against the engine clock's wall time. @internal
 */
export function recordLatencies<E>(latency: LatencyHistogram, events: readonly E[], s: Pick<EngineStreamSampling<E>, 'nowMs' | 'monotonicNs' | 'accessors'>): void {
  let nowNs = Number.NaN;
  let nowMs = Number.NaN;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const mono = typeof event === 'object' && event !== null ? (event as { monotonicNs?: unknown }).monotonicNs : undefined;
    if (typeof mono === 'bigint') {
      if (Number.isNaN(nowNs)) nowNs = Number(s.monotonicNs());
      latency.record((nowNs - Number(mono)) / 1000);
    } else {
      if (Number.isNaN(nowMs)) nowMs = s.nowMs();
      latency.record((nowMs - s.accessors.timeMs(event)) * 1000);
    }
  }
}
