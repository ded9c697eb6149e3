import type { MetricPoints } from '@bpfscope/core';
import type { MetricsEngine, ResolvedSelection } from './options.js';

// One engine read at a time per engine, shared by everything of this package that reads
// it: a reader's collection runs the batch callback (counters, gauges) and the histogram
// producer concurrently, and both must see the same snapshot. Reads that follow one
// another are shared by the engine's own snapshot cache (cache.ttlMs).
const inFlight = new WeakMap<MetricsEngine, ReturnType<MetricsEngine['collect']>>();

/**
 * The engine's current snapshot as a metric-point view of the selection: joins a read in
 * flight for the same engine instead of starting a second one.
 * @internal
 */
export async function readView(engine: MetricsEngine, selection: ResolvedSelection): Promise<MetricPoints> {
  let pending = inFlight.get(engine);
  if (!pending) {
    pending = engine.collect();
    inFlight.set(engine, pending);
    const clear = (): void => {
      if (inFlight.get(engine) === pending) inFlight.delete(engine);
    };
    pending.then(clear, clear);
  }
  const snapshot = await pending;
  return engine.metricPoints(snapshot, selection.pointOptions);
}
