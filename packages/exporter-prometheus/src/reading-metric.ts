import type { Metric, Registry } from 'prom-client';

type Registering = Pick<Registry, 'registerMetric'>;

/** One sample as prom-client's registry prints it. @internal */
export interface PromValue {
  /** The sample's name when it is not the family's (`_bucket`, `_sum`, `_count`). */
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

/** prom-client's metric types that this exporter writes. @internal */
export type PromType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric family whose samples come from the exporter's reading at scrape time. It has
 * the shape prom-client's registry reads from a metric (name, help, type, `get()`), as its
 * own Counter and Gauge do, but keeps no values between scrapes: a prom-client Gauge would
 * hash every label set on every scrape to rebuild what the reading already holds.
 * @internal
 */
export class ReadingMetric {
  /** How prom-client's cluster aggregation combines workers' values: one engine, one value. */
  readonly aggregator = 'first';

  constructor(
    /** Family name as the registry prints it in `# TYPE` (for OpenMetrics counters, without `_total`). */
    public name: string,
    readonly help: string,
    readonly type: PromType,
    private readonly samples: () => Promise<readonly PromValue[]>,
  ) {}

  /** The family at this scrape (prom-client's registry calls it). */
  async get(): Promise<{ name: string; help: string; type: PromType; values: readonly PromValue[]; aggregator: string }> {
    return { name: this.name, help: this.help, type: this.type, values: await this.samples(), aggregator: this.aggregator };
  }

  /** Nothing to reset: no values are kept between scrapes. */
  reset(): void {}

  /** Registers it in a prom-client registry. */
  registerIn(registry: Registering): void {
    // prom-client's registry reads name, type, help and get() from what it holds (and reset()
    // on resetMetrics()); its typings name only its own classes.
    registry.registerMetric(this as unknown as Metric);
  }
}
