import type { BpfscopeError } from '../errors/bpfscope-error.js';
import type { CachedResultInfo, DetailCapInfo, FamilyData, FamilyError, FamilyResult } from '../types.js';
import type { GovernorInfo } from './governor/governor-types.js';

/** JSON form of an error inside a snapshot. */
export interface ErrorJson {
  /** Stable {@link ErrorCode}, e.g. `ATTACH_FAILED`. */
  code: string;
  /** Human-readable description of what went wrong. */
  message: string;
  /** What the user can do about it. */
  remedy: string;
}

/** JSON form of {@link CachedResultInfo}: a result the change-counter cache answered. */
export interface CachedResultJson {
  /** What answered: the source's change counter had not moved since the decoded read. */
  by: 'change-counter';
  /** When the data were decoded, ISO 8601 in UTC. */
  decodedAt: string;
  /** The change counter, in decimal. */
  changeCounter: string;
}

/** JSON form of a snapshot: the shape `bpfscope snapshot --json` prints. */
export interface SnapshotJson {
  /** When the snapshot was taken, ISO 8601 in UTC. */
  timestamp: string;
  /** Results of the families that produced data, keyed by family name, sorted by name. */
  families: Record<string, {
    /** {@link SourceKind} that produced the data: `ebpf`, `procfs`, `sysfs` or `nvml`. */
    source: string;
    /** Why the preferred source was rejected, or null when the family did not fall back. */
    fallback: ErrorJson | null;
    /** The family's data, shaped as its plugin declares in {@link MetricFamilies}. */
    data: unknown;
    /** What had stopped the family before `engine.attemptRecovery()` brought it back; absent when it never needed that. */
    recoveredFrom?: ErrorJson;
    /** Present when the change-counter cache answered: when the data were decoded (ISO 8601) and the counter. */
    cached?: CachedResultJson;
    /** Present when the cap on cached detail records left records out of this data. */
    detailCap?: DetailCapInfo;
    /** Present when the overhead governor governs the family: its level, budget, measured cost and reason. */
    governor?: GovernorInfo;
  }>;
  /** Families that produced no data this time, sorted by family name. */
  errors: Array<{
    /** Name of the failed family. */
    family: string;
  } & ErrorJson>;
}

/**
 * A `JSON.stringify` replacer for snapshots: 64-bit values that plugins keep as
 * `bigint` (e.g. syscall arguments) become decimal strings, the usual JSON form of
 * integers beyond 2^53.
 * @example
 * ```ts
 * JSON.stringify(snapshot.toJSON(), snapshotJsonReplacer);
 * ```
 */
export function snapshotJsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * One reading of every enabled family, with the errors of the families that failed.
 * `get` is typed per family through {@link MetricFamilies}.
 */
export class Snapshot {
  /** When the snapshot was taken, ms since the epoch. */
  readonly timestamp: number;
  /** Families that failed this time, each with its error. */
  readonly errors: readonly FamilyError[];
  readonly #families: ReadonlyMap<string, FamilyResult>;

  /** @internal */
  constructor(timestamp: number, families: ReadonlyMap<string, FamilyResult>, errors: readonly FamilyError[]) {
    this.timestamp = timestamp;
    this.#families = families;
    this.errors = errors;
  }

  /**
   * One family's result.
   * @param family - family name, e.g. `cpu`
   * @returns the result, or undefined when the family failed or is not collected
   */
  get<F extends string>(family: F): FamilyResult<FamilyData<F>> | undefined {
    return this.#families.get(family) as FamilyResult<FamilyData<F>> | undefined;
  }

  /** Names of the families that have data. */
  families(): string[] {
    return [...this.#families.keys()];
  }

  /** The snapshot as plain JSON (errors reduced to code, message and remedy). */
  toJSON(): SnapshotJson {
    const families: SnapshotJson['families'] = {};
    for (const [name, r] of this.#families) {
      families[name] = {
        source: r.source,
        fallback: r.fallback ? errorJson(r.fallback) : null,
        data: r.data,
        ...(r.recoveredFrom ? { recoveredFrom: errorJson(r.recoveredFrom) } : {}),
        ...(r.cached ? { cached: { ...r.cached, decodedAt: new Date(r.cached.decodedAt).toISOString() } } : {}),
        ...(r.detailCap ? { detailCap: { ...r.detailCap } } : {}),
        ...(r.governor ? { governor: { ...r.governor } } : {}),
      };
    }
    return {
      timestamp: new Date(this.timestamp).toISOString(),
      families,
      errors: this.errors.map((e) => ({ family: e.family, ...errorJson(e.error) })),
    };
  }
}

function errorJson(e: BpfscopeError): ErrorJson {
  return { code: e.code, message: e.message, remedy: e.remedy };
}
