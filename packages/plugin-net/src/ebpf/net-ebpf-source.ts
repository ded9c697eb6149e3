import { awaitOrAbort, Closed, ConfigError, KeptSourceStats, splitSamplingForKernel, type Clock, type EventStream, type FamilyFilter, type KernelSamplingCounts, type KernelSamplingState, type PushdownResult, type ReadContext, type SamplingConfig, type SamplingPushdownResult, type Source, type SourceContext, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, kernelCounters, loadNative, ProgramStatsReporter, SharedSamplingSlot, type LoadedBpfObject, type NativeObjectLoader } from '@bpfscope/native';
import type { ResolvedNetOptions } from '../options.js';
import type { NetMetrics } from '../records.js';
import type { NetEvent } from '../records-events.js';
import type { NetServices } from '../services.js';
import { AddressTexts, decodeConnections, type ConnectionTable, type EarlierOwners, type ToEpochMs } from './decode-connections.js';
import { scanSocketOwners } from '../procfs/socket-owners.js';
import { NET_TOT, readKernelState, readPerCpuCounts, type KernelState } from './kernel-maps.js';
import { readKernelEnum } from './kernel-enum.js';
import { InterfaceAndCounterReads } from '../procfs/side-reads.js';
import { assembleNetMetrics, type NetSideReads } from './assemble.js';
import { NET_EVENT_CLASSES, netEventStream } from './net-events.js';
import { NetKernelFilter, optionsKernelPart, withPushed, type KernelNetFilter } from './net-kernel-filter.js';
import { netLayouts, type NetLayouts } from './net-layouts.js';
import { RowReuse } from './row-reuse.js';
import { DetailSwitch } from './detail-switch.js';
import { TableBuffers } from './table-buffers.js';

const SAMPLING_PATH = 'families.net.sampling';

function classOf(kind: string | number, path: string): number {
  const c = typeof kind === 'string' ? NET_EVENT_CLASSES[kind as keyof typeof NET_EVENT_CLASSES] : undefined;
  if (c === undefined) throw new ConfigError(path, kind, `an event kind of net: ${Object.keys(NET_EVENT_CLASSES).map((k) => `"${k}"`).join(', ')}`);
  return c;
}

/** Table reads per reading while TCP closes race with them. */
const MAX_TRIES = 4;

/** The governor's level 1 (docs/governor.md). */
const NO_DETAIL = 'counts only: per-process and per-host accounting off in the send, receive, close and retransmit programs at run time (no reload), processes and hosts unavailable; the connection table and the totals go on exactly';

/** Hooks that keep the counters: attached for the source's whole life. */
const HOOKS = ['net_send', 'net_recv', 'net_state', 'net_retrans', 'net_rst_send', 'net_rst_recv', 'net_drop'] as const;

/**
 * The eBPF source of the net family. Nothing of it runs per packet:
 * - the connection table is one run of the socket iterators (`net_iter_tcp`, `net_iter_udp`)
 *   per reading, with TCP's own counters (tcp_sock: bytes, segments, retransmits, RTT);
 * - each socket's owner (pid, comm, cgroup, start) is kept in sk storage, taken where the
 *   owner is current: connect, listen, or a send or receive (an accepted socket starts with
 *   its listener's owner);
 * - per-process and per-host figures: UDP from `sock_send_length`/`sock_recv_length` (one
 *   run per send or receive call), TCP from each connection's counters (closed ones added
 *   in the kernel at close, open ones from the table);
 * - totals: retransmits and resets counted at their tracepoints, drops by reason at
 *   `kfree_skb` (names from the kernel's BTF);
 * - interfaces and the kernel's SNMP counters from sysfs and procfs (exact and free), marked
 *   in `fieldSources`.
 * The connection table covers the reader's network namespace (the iterators walk the
 * namespace of the process that reads them); the counters cover every namespace unless a
 * `netNamespaces` filter narrows them.
 * @internal
 */
export class NetEbpfSource implements Source<NetMetrics> {
  readonly kind = 'ebpf' as const;
  readonly name = 'net-ebpf';
  /** Interfaces and the SNMP counters: sysfs and procfs, exact and free (the fallback's reader). */
  private readonly side: NetSideReads;
  #handle: LoadedBpfObject | null = null;
  #loader: NativeObjectLoader | null = null;
  #layouts: NetLayouts | null = null;
  #filter: NetKernelFilter | null = null;
  #optionsPart: KernelNetFilter;
  #dropNames: Map<number, string> | null = null;
  #since = '';
  #prevAtMs: number | null = null;
  #batchSize = 100;
  #counters: Record<string, number> = {};
  readonly #kept = new KeptSourceStats();
  readonly #toEpochMs: ToEpochMs;
  readonly #addresses = new AddressTexts();
  /** Connections of earlier readings, handed out again for rows that did not change. */
  #rows = new RowReuse();
  /** Holders of the sockets that existed when the source started (their owners predate the kernel's). */
  #earlier: EarlierOwners | null = null;
  readonly #procfs: NetServices['procfs'];
  readonly #programStats = new ProgramStatsReporter();
  /** The process's kernel sampling of net events (one setting for every engine: the object is shared). */
  readonly #sampling: SharedSamplingSlot;
  #samplingBase: KernelSamplingCounts | null = null;
  #closing = new AbortController();
  /** Where the iterators are read. */
  readonly #tables = new TableBuffers();
  #detail: DetailSwitch | null = null;
  readonly #clock: Clock;

  /**
   * @param options - the plugin's checked options
   * @param services - the engine's loader, procfs reader and clock
   */
  constructor(
    private readonly options: ResolvedNetOptions,
    services: NetServices,
  ) {
    this.side = new InterfaceAndCounterReads(services.procfs, services.clock, options);
    this.#procfs = services.procfs;
    this.#clock = services.clock;
    this.#loader = asNativeLoader(services.loader);
    this.#optionsPart = optionsKernelPart(options);
    this.#sampling = SharedSamplingSlot.of('net_smp', options.objectPath, 0, classOf, SAMPLING_PATH);
    const offset = Date.now() - Number(process.hrtime.bigint()) / 1e6;
    this.#toEpochMs = (ns) => offset + ns / 1e6;
  }

  async init(context: SourceContext): Promise<void> {
    loadNative();
    const loader = this.#loader!;
    const loading = loader.load({ path: this.options.objectPath });
    const handle = await awaitOrAbort(loading, context.signal, () => void loading.then((h) => h.close(), () => undefined));
    this.#handle = handle;
    try {
      this.#layouts = netLayouts(handle.structLayouts());
      this.#filter = new NetKernelFilter(handle.object, this.#layouts);
      this.#filter.set(this.#optionsPart);
      for (const p of HOOKS) handle.attach(p);
      this.#detail = new DetailSwitch(handle.object, () => this.#clock.wallMs());
      // The iterators must work now, not at the first read.
      await awaitOrAbort(Promise.all([handle.object.readIterator('net_iter_tcp'), handle.object.readIterator('net_iter_udp')]), context.signal);
    } catch (e) {
      await this.close();
      throw e;
    }
    this.#dropNames = readKernelEnum('skb_drop_reason', 'SKB_DROP_REASON_');
    // After the hooks are attached: every socket made from now on gets its owner in the kernel.
    this.#earlier = scanSocketOwners(this.#procfs);
    this.#rows = new RowReuse();
    this.#batchSize = context.config.batchSize;
    this.#programStats.start(context.config.programStats);
    this.#sampling.opened(handle.object);
    this.#samplingBase = this.#sampling.counts();
    this.#since = new Date().toISOString();
    this.#prevAtMs = null;
  }

  async read(context: ReadContext): Promise<NetMetrics> {
    const handle = this.#handle;
    const layouts = this.#layouts;
    if (handle === null || layouts === null) throw new Closed('the net-ebpf source (not initialised, or closed)');
    const obj = handle.object;
    const t0 = performance.now();
    // A TCP connection that closes between the table and the maps would count twice (open in
    // the table, closed in the maps): read again while closes happened meanwhile.
    let table: ConnectionTable;
    let kernel: KernelState;
    let tries = 0;
    // Where a reading's time goes (the last try's phases), for stats().counters.
    let iterMs = 0;
    let decodeMs = 0;
    let mapsMs = 0;
    for (;;) {
      const closes = readPerCpuCounts(obj, 'net_tot')[NET_TOT.closes];
      const a = performance.now();
      let b = a;
      // Decoded while the tables' buffers are lent, unless the read was aborted meanwhile.
      const decoded = await awaitOrAbort(
        this.#tables.read(obj, (tables) => {
          if (context.signal.aborted) return null;
          b = performance.now();
          const t = decodeConnections(tables, layouts, this.#toEpochMs, this.#addresses, this.#earlier, this.#rows);
          this.#rows.end();
          return t;
        }),
        context.signal,
      );
      if (decoded === null) throw context.signal.reason ?? new Error('net-ebpf: the read was aborted');
      table = decoded;
      const c = performance.now();
      kernel = await awaitOrAbort(readKernelState(obj, layouts), context.signal);
      [iterMs, decodeMs, mapsMs] = [b - a, c - b, performance.now() - c];
      if (kernel.totals[NET_TOT.closes] === closes || ++tries === MAX_TRIES) break;
    }
    const d = performance.now();
    const m = assembleNetMetrics({
      obj, table, kernel, options: this.options, side: this.side, dropNames: this.#dropNames,
      kernelFilterHeld: this.#filter?.free ?? false, since: this.#since,
    });
    const now = performance.now();
    m.intervalMs = this.#prevAtMs === null ? null : Math.round((now - this.#prevAtMs) * 1000) / 1000;
    this.#prevAtMs = now;
    const ms = (x: number): number => Math.round(x * 1000) / 1000;
    this.#counters = {
      sockets: table.connections.length, rowsReused: this.#rows.reused, readMs: ms(now - t0), tries: tries + 1, ...this.#tables.counts(),
      iterMs: ms(iterMs), decodeMs: ms(decodeMs), mapsMs: ms(mapsMs), assembleMs: ms(now - d),
    };
    if (tries === MAX_TRIES) m.unavailable.processes = `TCP connections kept closing during ${MAX_TRIES} reads of the table: a connection that closed during the last may count twice in processes and hosts`;
    this.#detail?.mark(m);
    return m;
  }

  degradationLevels(): readonly string[] {
    return [NO_DETAIL];
  }

  setDegradation(level: number, reason: string): Promise<void> {
    if (this.#detail === null) return Promise.reject(new Closed('the net-ebpf source (not initialised, or closed)'));
    this.#detail.set(level >= 1, reason);
    return Promise.resolve();
  }

  /**
   * Apply a filter in the kernel at run time (filter maps, no reload): `protocols`, one
   * `portRanges` range (local or remote port), `pids`, `cgroupIds` and `netNamespaces`
   * (owner's pid and cgroup; the socket's namespace), over the plugin's own options. They
   * narrow the table, the per-process and per-host counters (from now on), totals and
   * events. The object is shared by the engines of this process and has one filter: while
   * another engine holds it, nothing goes down.
   * @param filter - the whole filter ({} clears the pushed part)
   * @returns the parts applied in the kernel and the rest
   */
  async pushdown(filter: FamilyFilter): Promise<PushdownResult> {
    const kf = this.#filter;
    if (kf === null) throw new Closed('the net-ebpf source (not initialised, or closed)');
    const { kernel, result } = withPushed(this.#optionsPart, filter);
    if (!kf.set(kernel)) return { pushedDown: [], notPushed: [...result.pushedDown, ...result.notPushed] };
    return result;
  }

  /**
   * TCP events: state changes (connect, accept and close also as their own events, close
   * with the connection's totals), retransmits and resets, from the object's ring buffer.
   * @param options - signal, queue, and `types` (the kinds to keep)
   * @returns the stream
   * @throws {@link @bpfscope/core!ConfigError} for a bad option
   */
  events(options: Parameters<NonNullable<Source<NetMetrics>['events']>>[0]): EventStream<NetEvent> {
    if (this.#loader === null || this.#handle === null) throw new Closed('the net-ebpf source (not initialised, or closed)');
    const signal = AbortSignal.any([options.signal, this.#closing.signal]);
    return netEventStream({ loader: this.#loader, objectPath: this.options.objectPath, toEpochMs: this.#toEpochMs, batchSize: this.#batchSize }, { ...options, signal });
  }

  /**
   * Sampling of the TCP events in the kernel, before their ring space is taken: uniform,
   * priority by pid, cgroup or kind, the token bucket. One setting per process.
   * @param config - the setting, or null for none
   * @returns the kernel part applied and the user-space rest
   */
  async samplingPushdown(config: SamplingConfig<unknown> | null): Promise<SamplingPushdownResult<unknown>> {
    const split = splitSamplingForKernel(config, { tail: false, priority: { pids: true, cgroups: true, kinds: true } }, SAMPLING_PATH);
    split.kernel?.priority?.kinds?.forEach((k, i) => classOf(k, `${SAMPLING_PATH}.match.kinds[${i}]`));
    return this.#sampling.push(this, split.kernel) ? split : { kernel: null, rest: config };
  }

  /** The kernel sampling counts since the source started. @returns the counts */
  samplingCounts(): KernelSamplingCounts | null {
    return this.#handle !== null && this.#samplingBase !== null ? this.#sampling.countsSince(this.#samplingBase) : null;
  }

  /** The kernel setting in force and whether another engine put it there. @returns the state */
  samplingState(): KernelSamplingState {
    return this.#sampling.state(this);
  }

  /** Why the source no longer measures though it was initialised (a hook's link is gone), or null. */
  detached(): string | null {
    const gone = this.#handle?.detachedPrograms() ?? [];
    return gone.length > 0 ? `program${gone.length > 1 ? 's' : ''} ${gone.join(', ')} of ${this.name} ${gone.length > 1 ? 'are' : 'is'} no longer attached` : null;
  }

  stats(options?: SourceStatsOptions): SourceStats {
    const h = this.#handle;
    if (h === null) return this.#kept.last;
    // Whole figures are kept for after close.
    return this.#kept.keep({
      programs: options?.programs === false ? [] : this.#programStats.programs(h.object),
      runStatsEnabled: this.#programStats.enabled,
      kernelCounters: [kernelCounters(h.object, 'net_stats')],
      counters: { ...this.#counters },
    }, options);
  }

  async close(): Promise<void> {
    if (this.#handle !== null) this.stats();
    this.#closing.abort();
    this.#closing = new AbortController();
    this.#sampling.release(this);
    if (this.#samplingBase !== null && this.#handle !== null) this.#sampling.closed(this.#handle.object);
    this.#samplingBase = null;
    this.#programStats.stop();
    this.#filter?.close();
    this.#filter = null;
    this.#detail?.release();
    this.#detail = null;
    this.#handle?.close();
    this.#handle = null;
    this.#layouts = null;
  }
}

