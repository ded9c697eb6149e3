import type { Log2Histogram } from '../aggregate/log2-histogram.js';
import type { FamilyData, FamilyResult } from '../types.js';

/**
 * How a metric's values behave, as OpenTelemetry's data model names them:
 * - `counter`: a cumulative monotonic sum (bytes read, CPU seconds, syscalls made);
 * - `updown`: a cumulative sum that can go down (bytes of memory in use, processes that exist);
 * - `gauge`: a value read as it stands (a percentage, a temperature, a load average);
 * - `histogram`: a distribution counted in the kernel's log2 buckets.
 */
export type MetricKind = 'counter' | 'updown' | 'gauge' | 'histogram';

/**
 * Series a metric has once per process, connection or file. They are opt-in
 * ({@link MetricPointOptions.detail}) and capped ({@link MetricPointOptions.maxDetailEntities}).
 * What one entity is, by the attributes that name it ({@link DETAIL_IDENTITY}): a process by
 * `process.pid`; a connection by `network.transport` and both ends' address and port; a
 * file by `system.device` and `file.inode`.
 */
export type MetricDetail = 'process' | 'connection' | 'file';

/** The attributes that name one entity of each {@link MetricDetail}. */
export const DETAIL_IDENTITY: Readonly<Record<MetricDetail, readonly string[]>> = {
  process: ['process.pid'],
  connection: ['network.transport', 'network.local.address', 'network.local.port', 'network.peer.address', 'network.peer.port'],
  file: ['system.device', 'file.inode'],
};

/** An attribute value of a point. */
export type MetricAttributeValue = string | number | boolean;

/** The attributes (Prometheus: labels) of one point, named as OpenTelemetry's semantic conventions name them. */
export type MetricAttributes = Readonly<Record<string, MetricAttributeValue>>;

/**
 * The attribute every point carries: the source its value came from (`ebpf`, `procfs`,
 * `sysfs`, `nvml`) — the field's own source where the family reports one
 * (`fieldSources`), else the family's.
 */
export const SOURCE_ATTRIBUTE = 'bpfscope.source';

/** What a metric is: fixed for the life of the plugin, so exporters can register it before the first reading. */
export interface MetricDescriptor {
  /**
   * Dotted name: OpenTelemetry's semantic-convention name where one exists
   * (`system.cpu.time`, `system.memory.usage`, `process.cpu.time`), else `bpfscope.<family>.<what>`.
   */
  readonly name: string;
  /** How its values behave. */
  readonly kind: MetricKind;
  /**
   * UCUM unit as OpenTelemetry writes it: `s`, `By`, `1` (a ratio 0–1), `ns`, or a count in
   * braces such as `{syscall}`. A histogram's unit is the kernel's, so its buckets stay exact.
   */
  readonly unit: string;
  /** One sentence on what is counted. */
  readonly description: string;
  /** The family that produces it. */
  readonly family: string;
  /** Set for series kept once per process, connection or file: opt-in and capped. */
  readonly detail?: MetricDetail;
}

/** One value of a `counter`, `updown` or `gauge` metric. */
export interface NumberPoint {
  /** Attributes, always including {@link SOURCE_ATTRIBUTE}. */
  readonly attributes: MetricAttributes;
  /** The value, in the descriptor's unit. */
  readonly value: number;
}

/**
 * One distribution of a `histogram` metric: the kernel's log2 buckets unchanged
 * ({@link log2ToExponential} gives OpenTelemetry's base-2 scale-0 form of them).
 */
export interface HistogramPoint {
  /** Attributes, always including {@link SOURCE_ATTRIBUTE}. */
  readonly attributes: MetricAttributes;
  /** The buckets, cumulative since the series' `startTimeMs` ({@link MetricSeries}). */
  readonly histogram: Log2Histogram;
  /** Sum of the counted values when the kernel keeps it, else null (the buckets do not give it exactly). */
  readonly sum: number | null;
}

/** A metric and its points at one reading. */
export type MetricSeries =
  | {
      /** The metric: a counter, up-down sum or gauge. */
      readonly descriptor: MetricDescriptor & {
        /** How its values behave. */
        readonly kind: 'counter' | 'updown' | 'gauge';
      };
      /** When its cumulative values began counting, ms since the epoch; null for gauges and when unknown. */
      readonly startTimeMs: number | null;
      /** Its values at this reading. */
      readonly points: readonly NumberPoint[];
    }
  | {
      /** The metric: a histogram. */
      readonly descriptor: MetricDescriptor & {
        /** Always `histogram`. */
        readonly kind: 'histogram';
      };
      /** When its buckets began counting, ms since the epoch; null when unknown. */
      readonly startTimeMs: number | null;
      /** Its distributions at this reading. */
      readonly points: readonly HistogramPoint[];
    };

/**
 * Where a mapper writes a family's points. `startTimeMs` is when the cumulative values
 * began counting (boot for procfs counters, attach for eBPF ones), ms since the epoch;
 * null for gauges. A descriptor the mapper did not declare is refused.
 */
export interface MetricSink {
  /** Add a value of a `counter`, `updown` or `gauge` metric. */
  number(descriptor: MetricDescriptor, startTimeMs: number | null, attributes: MetricAttributes, value: number): void;
  /** Add a distribution of a `histogram` metric. */
  histogram(descriptor: MetricDescriptor, startTimeMs: number | null, attributes: MetricAttributes, histogram: Log2Histogram, sum: number | null): void;
  /** Whether series of this detail were asked for; a mapper skips their work when not. */
  wants(detail: MetricDetail): boolean;
}

/**
 * A family's mapping from its data to metric points, declared by its plugin
 * ({@link Plugin.metricMappers}).
 * @typeParam F - the family name
 */
export interface FamilyMetricMapper<F extends string = string> {
  /** The family it maps. */
  readonly family: F;
  /** Every metric it can write; it writes no other. */
  readonly descriptors: readonly MetricDescriptor[];
  /**
   * Write the points of one result. Measured values only: a field the source could not
   * measure (null) gives no point. Per-process, per-connection and per-file series only
   * when `sink.wants(detail)`, in the family's own ranking order (the cap keeps the first).
   */
  map(result: FamilyResult<FamilyData<F>>, sink: MetricSink): void;
}

/** Options of {@link toMetricPoints} and `engine.metricPoints()`. */
export interface MetricPointOptions {
  /**
   * Which high-cardinality series to write (once per process, connection or file).
   * @default none
   */
  readonly detail?: readonly MetricDetail[];
  /**
   * Most processes, connections or files one detail metric keeps points of (all the points of
   * each: a process's user and system CPU time count once), the first in the family's own
   * ranking; the points of the rest are counted in {@link MetricPoints.capped}.
   * @default 100
   */
  readonly maxDetailEntities?: number;
}

/** The flat metric-point view of a snapshot. */
export interface MetricPoints {
  /** When the snapshot was taken, ms since the epoch. */
  readonly timestamp: number;
  /** One entry per metric that has points, including the engine's `bpfscope.family.up`. */
  readonly series: readonly MetricSeries[];
  /** Points left out by the detail cap, per metric name (absent when none were). */
  readonly capped: Readonly<Record<string, number>>;
  /** Families with data but no mapper (a plugin that declares none). */
  readonly unmapped: readonly string[];
  /** Families whose mapper threw: their points are left out, the rest of the view stands. */
  readonly mapErrors: readonly {
    /** The family whose mapper failed. */
    readonly family: string;
    /** What it threw. */
    readonly message: string;
  }[];
}

/**
 * A maker of a family's frozen metric descriptors, for a plugin's {@link FamilyMetricMapper}.
 * @param family - the family every descriptor it makes belongs to
 * @returns `(name, kind, unit, description, detail?) => descriptor`
 * @example
 * ```ts
 * const metric = metricDescriptorFor('cpu');
 * const TIME = metric('system.cpu.time', 'counter', 's', 'Seconds each CPU spent in each mode.');
 * ```
 */
export function metricDescriptorFor(family: string): (name: string, kind: MetricKind, unit: string, description: string, detail?: MetricDetail) => MetricDescriptor {
  return (name, kind, unit, description, detail) =>
    Object.freeze(detail === undefined ? { name, kind, unit, description, family } : { name, kind, unit, description, family, detail });
}
