// A Meter of @opentelemetry/api's interface that records what the bridge registers and
// runs its batch callbacks on demand: the API-only path, with no SDK behind it.
import type { BatchObservableCallback, Meter, Observable, ObservableOptions } from '@opentelemetry/api';

export interface Registered {
  kind: 'counter' | 'updown' | 'gauge';
  name: string;
  options: ObservableOptions | undefined;
}

export interface Observation {
  name: string;
  value: number;
  attributes: Record<string, unknown>;
}

export interface RecordingMeter {
  meter: Meter;
  registered: Registered[];
  /** Callbacks registered now, with the observables each covers. */
  callbacks(): Array<{ observables: string[] }>;
  /** Runs every registered callback once, as a collection would, and returns what they observed. */
  collect(): Promise<Observation[]>;
}

export function recordingMeter(): RecordingMeter {
  const registered: Registered[] = [];
  const callbacks = new Map<BatchObservableCallback, Observable[]>();
  const names = new WeakMap<Observable, string>();
  const create = (kind: Registered['kind']) => (name: string, options?: ObservableOptions): Observable => {
    registered.push({ kind, name, options });
    const o = { addCallback: () => undefined, removeCallback: () => undefined } as Observable;
    names.set(o, name);
    return o;
  };
  const meter = {
    createObservableCounter: create('counter'),
    createObservableUpDownCounter: create('updown'),
    createObservableGauge: create('gauge'),
    addBatchObservableCallback(cb: BatchObservableCallback, observables: Observable[]) {
      callbacks.set(cb, observables);
    },
    removeBatchObservableCallback(cb: BatchObservableCallback, observables: Observable[]) {
      if (callbacks.get(cb)?.length === observables.length) callbacks.delete(cb);
    },
  } as unknown as Meter;
  return {
    meter,
    registered,
    callbacks: () => [...callbacks.values()].map((obs) => ({ observables: obs.map((o) => names.get(o)!) })),
    async collect() {
      const out: Observation[] = [];
      for (const [cb, obs] of callbacks) {
        await cb({
          observe(o: Observable, value: number, attributes?: Record<string, unknown>) {
            if (!obs.includes(o)) throw new Error(`${names.get(o)} observed by a callback that did not register it`);
            out.push({ name: names.get(o)!, value, attributes: { ...attributes } });
          },
        } as never);
      }
      return out;
    },
  };
}
