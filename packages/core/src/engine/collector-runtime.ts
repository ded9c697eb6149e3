import type { BpfscopeError } from '../errors/bpfscope-error.js';
import { ConfigError, DataUnavailable } from '../errors/taxonomy.js';
import type { FamilyMode, ResolvedConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Collector, FamilyResult, Source } from '../types.js';
import { asBpfscopeError, isTransient, withTimeout } from './as-error.js';

/** Statistics of one collector, as `engine.stats()` reports them. */
export interface CollectorStats {
  /** Name of the family this collector produces, e.g. `cpu`. */
  family: string;
  /** The selected source, or null when none initialised. */
  source: string | null;
  /** Init attempts over all sources. */
  initAttempts: number;
  /** Time spent initialising, ms. */
  initMs: number;
  /** Codes of the sources that were rejected, in order. */
  rejected: Array<{
    /** Name of the rejected source, e.g. `cpu-ebpf`. */
    source: string;
    /** {@link ErrorCode} it was rejected with (`DATA_UNAVAILABLE` for an eBPF source skipped by mode `fallback`). */
    code: string;
  }>;
  /** Reads started on the selected source, including those that failed or timed out. */
  reads: number;
  /** Reads that threw or exceeded `operationTimeoutMs`. */
  readErrors: number;
  /** Duration of the last successful read, ms, or null before one succeeded. */
  lastReadMs: number | null;
  /** The selected source's own statistics. */
  sourceStats: Readonly<Record<string, number>>;
}

/** Selects a collector's source and reads it with a time limit. @internal */
export class CollectorRuntime {
  readonly family: string;
  #selected: Source | null = null;
  #rejected: Array<{ source: Source; error: BpfscopeError }> = [];
  #initAttempts = 0;
  #initMs = 0;
  #reads = 0;
  #readErrors = 0;
  #lastReadMs: number | null = null;

  constructor(readonly collector: Collector, private readonly config: ResolvedConfig, private readonly logger: Logger) {
    this.family = collector.family;
  }

  get mode(): FamilyMode {
    return this.config.families[this.family]?.mode ?? this.config.mode;
  }

  get selected(): Source | null {
    return this.#selected;
  }

  /** Errors of the rejected sources, in order of preference. */
  get rejected(): readonly BpfscopeError[] {
    return this.#rejected.map((r) => r.error);
  }

  /**
   * Try each allowed source in order; the first that initialises wins.
   * @returns null on success, else the error to report (the first rejection, or why no source is allowed).
   */
  async init(): Promise<BpfscopeError | null> {
    const started = performance.now();
    this.#rejected = [];
    const candidates = this.collector.sources.filter((s) => this.allowed(s));
    if (this.mode === 'fallback') {
      // Say why the eBPF sources were not used, so the result's `fallback` explains itself.
      for (const source of this.collector.sources.filter((s) => s.kind === 'ebpf')) {
        this.#rejected.push({ source, error: new DataUnavailable(source.name, `the configuration sets mode "fallback" for ${this.family}`, { remedy: `Set mode "auto" or "ebpf" for ${this.family} to use eBPF.` }) });
      }
    }
    if (candidates.length === 0) {
      return new ConfigError(`families.${this.family}.mode`, this.mode, `a mode for which ${this.family} has a source (it has: ${this.collector.sources.map((s) => s.kind).join(', ')})`);
    }
    let firstFailure: BpfscopeError | null = null;
    for (const source of candidates) {
      const error = await this.#tryInit(source);
      if (!error) {
        this.#selected = source;
        this.#initMs += performance.now() - started;
        this.logger.info('source selected', { family: this.family, source: source.name, rejected: this.#rejected.map((r) => r.error.code) });
        return null;
      }
      this.#rejected.push({ source, error });
      firstFailure ??= error;
      this.logger.warn('source rejected', { family: this.family, source: source.name, code: error.code, message: error.message });
    }
    this.#initMs += performance.now() - started;
    return firstFailure ?? new DataUnavailable(this.family, 'no source could be initialised');
  }

  async #tryInit(source: Source): Promise<BpfscopeError | null> {
    const options = this.config.families[this.family] ?? {};
    let last: BpfscopeError | null = null;
    for (let attempt = 1; attempt <= this.config.initAttempts; attempt++) {
      this.#initAttempts++;
      try {
        await withTimeout(`${source.name} init`, Math.max(this.config.operationTimeoutMs, 5000), () =>
          source.init({ config: this.config, options, logger: this.logger }),
        );
        return null;
      } catch (e) {
        last = asBpfscopeError(e, `${source.name} init`);
        await source.close().catch(() => undefined);
        if (!isTransient(last)) break;
      }
    }
    return last;
  }

  private allowed(source: Source): boolean {
    if (this.mode === 'ebpf') return source.kind === 'ebpf';
    if (this.mode === 'fallback') return source.kind !== 'ebpf';
    return true;
  }

  /** Read the selected source once, within the operation time limit. */
  async read(outer?: AbortSignal): Promise<FamilyResult> {
    const source = this.#selected;
    if (!source) throw new DataUnavailable(this.family, 'no source is initialised');
    const started = performance.now();
    this.#reads++;
    try {
      const data = await withTimeout(`${source.name} read`, this.config.operationTimeoutMs, (signal) => source.read({ signal }), outer);
      const durationMs = performance.now() - started;
      this.#lastReadMs = durationMs;
      return {
        family: this.family,
        source: source.kind,
        sourceName: source.name,
        fallback: this.#rejected[0]?.error ?? null,
        data,
        timestamp: Date.now(),
        durationMs,
      };
    } catch (e) {
      this.#readErrors++;
      throw asBpfscopeError(e, `${source.name} read`);
    }
  }

  async close(): Promise<void> {
    const source = this.#selected;
    this.#selected = null;
    if (source) await source.close();
  }

  stats(): CollectorStats {
    return {
      family: this.family,
      source: this.#selected?.name ?? null,
      initAttempts: this.#initAttempts,
      initMs: this.#initMs,
      rejected: this.#rejected.map((r) => ({ source: r.source.name, code: r.error.code })),
      reads: this.#reads,
      readErrors: this.#readErrors,
      lastReadMs: this.#lastReadMs,
      sourceStats: this.#selected?.stats?.() ?? {},
    };
  }
}
