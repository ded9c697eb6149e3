// The exporter's own metrics: what a reading left out (the detail cap, mappers that threw,
// families without a mapper) and whether the engine could be read, so that nothing is lost
// without a trace in Prometheus.
import type { Reading } from './reading.js';
import type { PromType, PromValue } from './reading-metric.js';

/** One of the exporter's own metrics. @internal */
export interface OwnMetric {
  readonly suffix: string;
  readonly type: PromType;
  readonly help: string;
  samples(reading: Reading, totals: ExporterTotals, nameOf: (otelName: string) => string | undefined): PromValue[];
}

/** Counts kept across scrapes. @internal */
export interface ExporterTotals {
  readings: number;
  failures: number;
}

/** @internal */
export const OWN_METRICS: readonly OwnMetric[] = [
  {
    suffix: 'exporter_capped_points',
    type: 'gauge',
    help: 'Points of a per-process, per-connection or per-file metric that the detail cap left out of this scrape.',
    samples: (r, _t, nameOf) => Object.entries(r.view?.capped ?? {}).map(([metric, n]) => ({ labels: { metric: nameOf(metric) ?? metric }, value: n })),
  },
  {
    suffix: 'exporter_mapper_errors',
    type: 'gauge',
    help: 'Errors of a family\'s metric mapping at this scrape (a mapper that threw: all its points left out; a metric another family also writes: its points of it left out).',
    samples: (r) => {
      const byFamily = new Map<string, number>();
      for (const e of r.view?.mapErrors ?? []) byFamily.set(e.family, (byFamily.get(e.family) ?? 0) + 1);
      return [...byFamily].map(([family, n]) => ({ labels: { family }, value: n }));
    },
  },
  {
    suffix: 'exporter_unmapped_families',
    type: 'gauge',
    help: '1 for a family with data but no metric mapper (its plugin declares none): it is not exported.',
    samples: (r) => (r.view?.unmapped ?? []).map((family) => ({ labels: { family }, value: 1 })),
  },
  {
    suffix: 'exporter_read_error',
    type: 'gauge',
    help: '1 when this scrape could not read the engine (then no family metric has samples), else 0.',
    samples: (r) => [{ labels: {}, value: r.error === null ? 0 : 1 }],
  },
  {
    suffix: 'exporter_reads_total',
    type: 'counter',
    help: 'Engine readings made for scrapes since the exporter was created.',
    samples: (_r, t) => [{ labels: {}, value: t.readings }],
  },
  {
    suffix: 'exporter_read_errors_total',
    type: 'counter',
    help: 'Engine readings for scrapes that failed since the exporter was created.',
    samples: (_r, t) => [{ labels: {}, value: t.failures }],
  },
  {
    suffix: 'exporter_read_duration_seconds',
    type: 'gauge',
    help: 'Wall time of this scrape\'s engine reading (collect() and the mapping to metric points).',
    samples: (r) => [{ labels: {}, value: r.seconds }],
  },
];
