import { Closed, EventProcessingFailed, type EventStream, type Logger, type ReadContext, type Source, type SourceContext, type SourceEventOptions } from '@bpfscope/core';
import type { ProcessEvent } from '../tree/events.js';
import { procfsEventStream } from './proc-procfs-events.js';
import { CpuPercentTracker } from '../cpu-time.js';
import type { ProcessRecord, ProcMetrics } from '../records.js';
import { applySelection, type ProcessSelection } from '../selection.js';
import { NO_RUNTIME, readContext, readProcessWith } from './read-process.js';
import { listPids, readBootTime } from './scan-processes.js';

/** PIDs read between two yields to the event loop. */
const SLICE = 128;

/**
 * The procfs fallback of the proc family: /proc/&lt;pid&gt;/stat, status, io and cgroup
 * of every process (or of the `pids` option's only), read in slices that yield to the
 * event loop. A process that exits mid-scan is counted in `vanished`; one with a
 * malformed file in `malformed` (and logged). With thousands of processes a scan takes
 * longer than the default 1000 ms read limit: raise `families.proc.readTimeoutMs` (or `operationTimeoutMs`).
 *
 * Its {@link ProcProcfsSource.events} gives fork and exit events from scans of /proc
 * (source `procfs`): no exec, no exit status or totals, and nothing of a process that
 * lives between two scans.
 */
export class ProcProcfsSource implements Source<ProcMetrics> {
  readonly kind = 'procfs' as const;
  readonly name = 'proc-procfs';
  #procRoot = '/proc';
  #sysRoot = '/sys';
  #logger: Logger | null = null;
  #cpu = new CpuPercentTracker();
  #initialised = false;
  readonly #scans = new Set<{ readonly ms: number }>();
  /** Ends the event streams of this source when it closes. */
  #closing = new AbortController();

  /** @param selection - the checked filters and top-K of the plugin */
  constructor(private readonly selection: ProcessSelection = {}) {}

  async init(context: SourceContext): Promise<void> {
    this.#procRoot = context.config.procRoot;
    this.#sysRoot = context.config.sysRoot;
    this.#logger = context.logger;
    listPids(this.#procRoot); // a missing procfs fails init (DataUnavailable)
    this.#initialised = true;
  }

  /**
   * Process fork and exit events inferred from scans of /proc every `pollIntervalMs`
   * (default 1000 ms), each with `source: 'procfs'`. It cannot see exec, exit status or
   * exit totals (an exit says why in `totalsUnavailable`), nor a process that starts and
   * ends between two scans; a fork's `time` is the process's start time, an exit's the
   * time of the scan that noticed it.
   * @param options - signal, queue, and {@link ProcEventOptions} (`tree`, `types`, `initial`, `pollIntervalMs`)
   * @returns the stream; its scans stop when it ends
   * @throws {@link @bpfscope/core!ConfigError} for an unknown or bad option
   */
  events(options: SourceEventOptions): EventStream<ProcessEvent> {
    if (!this.#initialised) throw new Closed('the proc-procfs source (not initialised, or closed)');
    const signal = AbortSignal.any([options.signal, this.#closing.signal]);
    return procfsEventStream(this.#procRoot, { ...options, signal }, (ms) => {
      const scan = { ms };
      this.#scans.add(scan);
      return () => void this.#scans.delete(scan);
    });
  }

  /** One line per open event stream: each scans /proc on a timer of its own. */
  activity(): readonly string[] {
    return [...this.#scans].map((s) => `a /proc scan every ${s.ms} ms (an open event stream)`);
  }

  async read(context: ReadContext): Promise<ProcMetrics> {
    const boot = readBootTime(this.#procRoot);
    const ctx = readContext(this.#procRoot, { sysRoot: this.#sysRoot, bootTime: boot.bootTime }, boot.reason ?? '');
    const pids = this.selection.pids === undefined ? listPids(this.#procRoot) : [...new Set(this.selection.pids)].sort((a, b) => a - b);
    const records: ProcessRecord[] = [];
    let vanished = 0;
    let malformed = 0;
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % SLICE === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        context.signal.throwIfAborted();
      }
      try {
        const r = readProcessWith(this.#procRoot, pids[i]!, ctx);
        if (r.status === 'ok') records.push(r.record);
        else vanished++;
      } catch (e) {
        if (!(e instanceof EventProcessingFailed)) throw e;
        malformed++;
        this.#logger?.warn(`proc: process ${pids[i]} left out: ${e.message}`);
      }
    }
    // With a PID list, PIDs that do not exist are not processes that vanished mid-scan.
    if (this.selection.pids !== undefined) vanished = 0;
    const intervalMs = this.#cpu.update(records, performance.now());
    const sel = applySelection(records, this.selection);
    const unavailable: ProcMetrics['unavailable'] = { runtime: NO_RUNTIME };
    if (boot.bootTime === null) unavailable.startTime = boot.reason ?? '';
    return {
      countersSince: boot.bootTime === null ? null : new Date(boot.bootTime * 1000).toISOString(),
      intervalMs,
      total: records.length,
      matched: sel.matched,
      processes: sel.processes,
      vanished,
      filledFromProcfs: 0,
      malformed,
      unmeasured: sel.unmeasured,
      fieldSources: {},
      unavailable,
    };
  }

  async close(): Promise<void> {
    this.#initialised = false;
    this.#closing.abort();
    this.#closing = new AbortController();
    this.#cpu = new CpuPercentTracker();
  }
}
