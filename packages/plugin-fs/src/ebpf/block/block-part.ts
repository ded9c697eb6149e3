import { awaitOrAbort, Closed, KeptSourceStats, type EventFeed, type FamilyFilter, type FilterPart, type SourceContext, type SourceStats, type SourceStatsOptions } from '@bpfscope/core';
import { asNativeLoader, kernelCounters, loadNative, possibleCpus, ProgramStatsReporter, type LoadedBpfObject, type NativeObjectLoader } from '@bpfscope/native';
import type { ResolvedFsOptions } from '../../options.js';
import type { FsField, FsKernelStats } from '../../records.js';
import type { FsEvent } from '../../records-events.js';
import type { FsServices } from '../../services.js';
import type { FsSideReads } from '../../side-reads.js';
import type { DevicesReading, FsKernelPart } from '../kernel-part.js';
import { blockLayouts, type BlockLayouts } from './block-layouts.js';
import { BlockSettings } from './block-settings.js';
import { startBlockFeed } from './block-events.js';
import { readBlockCounters, type BlockCounters } from './block-counters.js';
import { decodeDevices, devName, devOf, hasIo, sinceBase, toFsDevice, type RawDevice } from './decode-devices.js';
import { parseInflight } from '../../procfs/parse-block-stat.js';

const PROGRAMS = ['fs_blk_issue', 'fs_blk_done'] as const;

/** The most devices the kernel filter holds (fs_blk_fdev's size). */
const MAX_FILTER_DEVICES = 1024;

const HELD = 'another engine of this process holds the kernel devices filter of the shared block object: devices and slow-io events follow its filter';

/**
 * The block-device part of the fs family's eBPF source (`bpf/fs_block.bpf.o`, always loaded):
 * per device, the requests and sectors /sys/block/&lt;dev&gt;/stat counts (see
 * bpf/fs/fs_block.bpf.c for how exactly), log2 histograms of each read's and write's latency
 * from its start (the kernel's own stamp) to its completion, and slow-io events. Counts run from
 * {@link BlockPart.init}. Devices are named from `side.deviceNames()`; requests in flight
 * come from /sys/class/block/&lt;name&gt;/inflight. Only request-based devices pass through
 * the hooks: bio-based ones (device-mapper, md, zram, brd) are not seen.
 * @internal
 */
export class BlockPart implements FsKernelPart<DevicesReading> {
  readonly name = 'fs-block';
  readonly #loader: NativeObjectLoader;
  #handle: LoadedBpfObject | null = null;
  #layouts: BlockLayouts | null = null;
  #settings: BlockSettings | null = null;
  #cpus = 0;
  /** The devices' counters when the part started. */
  #base = new Map<number, RawDevice>();
  #baseCounters: BlockCounters | null = null;
  #names: ReadonlyMap<string, string> = new Map();
  #refreshing: Promise<void> | null = null;
  /** Devices of events no name was known for, asked for once each until the next reading. */
  readonly #unnamed = new Set<string>();
  /** Devices (dev_t) the last pushdown asked for, or null for all. */
  #wanted: ReadonlySet<number> | null = null;
  #delivered = 0;
  #batchSize = 100;
  #toEpochMs: (ns: number) => number = (ns) => ns / 1e6;
  readonly #programStats = new ProgramStatsReporter();
  readonly #kept = new KeptSourceStats();
  #last: FsKernelStats = { invocations: 0, events: 0, drops: 0, delivered: 0, mapFull: 0 };

  /**
   * @param options - the family's checked options (object path, slow-io threshold)
   * @param services - the engine's loader, procfs reader and clock
   * @param side - where device names come from
   */
  constructor(
    private readonly options: ResolvedFsOptions,
    private readonly services: FsServices,
    private readonly side: FsSideReads,
  ) {
    this.#loader = asNativeLoader(services.loader);
  }

  async init(context: SourceContext): Promise<void> {
    loadNative();
    const loading = this.#loader.load({ path: this.options.blockObjectPath });
    const handle = await awaitOrAbort(loading, context.signal, () => void loading.then((h) => h.close(), () => undefined));
    this.#handle = handle;
    try {
      const layouts = blockLayouts(handle.structLayouts());
      this.#layouts = layouts;
      this.#cpus = possibleCpus();
      this.#settings = new BlockSettings(handle.object, layouts, this.options.slowIoThresholdUs);
      for (const p of PROGRAMS) handle.attach(p);
      this.#names = await awaitOrAbort(this.side.deviceNames(), context.signal);
      // After the attach: what completes from here on counts.
      this.#base = new Map((await awaitOrAbort(this.#readDevices(), context.signal)).map((d) => [d.dev, d]));
      this.#baseCounters = readBlockCounters(handle.object);
    } catch (e) {
      await this.close();
      throw e;
    }
    const clock = this.services.clock;
    const offsetMs = clock.wallMs() - Number(clock.monotonicNs()) / 1e6;
    this.#toEpochMs = (ns) => offsetMs + ns / 1e6;
    this.#batchSize = context.config.batchSize;
    this.#programStats.start(context.config.programStats);
  }

  async #readDevices(): Promise<RawDevice[]> {
    const handle = this.#handle;
    const layouts = this.#layouts;
    if (handle === null || layouts === null) throw new Closed('the fs-block part (not initialised, or closed)');
    const map = handle.object.map('fs_blk_dev');
    const batch = await map.lookupBatch();
    return decodeDevices(batch.keys, batch.values, batch.count, layouts, map.valueSize, this.#cpus);
  }

  async read(_nowMs: number): Promise<DevicesReading> {
    const [raw, names] = await Promise.all([this.#readDevices(), this.side.deviceNames()]);
    this.#names = names;
    this.#unnamed.clear();
    const unavailable: Partial<Record<FsField, string>> = {};
    const unread: string[] = [];
    const devices = raw
      .map((d) => sinceBase(d, this.#base.get(d.dev)))
      .filter((d) => hasIo(d) && (this.#wanted === null || this.#wanted.has(d.dev)))
      .map((d) => {
        const name = names.get(devName(d.dev));
        return toFsDevice(d, name ?? devName(d.dev), name === undefined ? 0 : this.#inFlight(name, unread));
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (unread.length > 0) unavailable.devices = `requests in flight of ${unread.join(', ')} could not be read from /sys/class/block/<name>/inflight: they show 0`;
    if (this.#settings?.heldElsewhere) unavailable.devices = HELD;
    this.#last = this.kernel();
    return { devices, unavailable };
  }

  #inFlight(name: string, unread: string[]): number {
    try {
      const path = `class/block/${name}/inflight`;
      const n = parseInflight(path, this.services.procfs.readSys(path));
      return n.reads + n.writes;
    } catch {
      // listed below
    }
    unread.push(name);
    return 0;
  }

  /**
   * Apply the `devices` part in the kernel (fs_blk_fdev): it narrows the counters from now on
   * and the slow-io events. Nothing else concerns block devices.
   */
  async pushdown(filter: FamilyFilter): Promise<readonly FilterPart[]> {
    const settings = this.#settings;
    if (settings === null) throw new Closed('the fs-block part (not initialised, or closed)');
    const list = filter.devices;
    const wanted = list === undefined ? null : new Set(list.map(devOf).filter((d): d is number => d !== null));
    this.#wanted = wanted;
    if (wanted !== null && wanted.size > MAX_FILTER_DEVICES) {
      settings.setDevices(null);
      return [];
    }
    return settings.setDevices(wanted) && wanted !== null ? ['devices'] : [];
  }

  kernel(): FsKernelStats {
    const h = this.#handle;
    if (h === null || this.#baseCounters === null) return { ...this.#last, delivered: this.#delivered };
    const now = readBlockCounters(h.object);
    const b = this.#baseCounters;
    return {
      invocations: now.invocations - b.invocations,
      events: now.events - b.events,
      drops: now.drops - b.drops,
      delivered: this.#delivered,
      mapFull: now.rqFull - b.rqFull + (now.devFull - b.devFull),
    };
  }

  stats(options?: SourceStatsOptions): SourceStats {
    const h = this.#handle;
    if (h === null || this.#baseCounters === null) return this.#kept.last;
    const now = readBlockCounters(h.object);
    const b = this.#baseCounters;
    // Whole figures are kept for after close.
    return this.#kept.keep({
      programs: options?.programs === false ? [] : this.#programStats.programs(h.object),
      runStatsEnabled: this.#programStats.enabled,
      kernelCounters: [kernelCounters(h.object, 'fs_blk_stats')],
      counters: {
        devices: this.#base.size,
        untrackedIssues: now.rqFull - b.rqFull,
        devicesMapFull: now.devFull - b.devFull,
        completionsWithoutStamp: now.noStamp - b.noStamp,
        delivered: this.#delivered,
      },
    }, options);
  }

  detached(): string | null {
    const gone = this.#handle?.detachedPrograms() ?? [];
    return gone.length > 0 ? `program${gone.length > 1 ? 's' : ''} ${gone.join(', ')} of ${this.name} ${gone.length > 1 ? 'are' : 'is'} no longer attached` : null;
  }

  startEvents(push: (event: FsEvent) => void, fail: (error: unknown) => void): Promise<EventFeed> | null {
    const handle = this.#handle;
    const layouts = this.#layouts;
    const settings = this.#settings;
    if (handle === null || layouts === null || settings === null) return Promise.reject(new Closed('the fs-block part (not initialised, or closed)'));
    return Promise.resolve(
      startBlockFeed(
        {
          handle, layouts, settings, toEpochMs: this.#toEpochMs, batchSize: this.#batchSize,
          thresholdNs: this.options.slowIoThresholdUs * 1000,
          wanted: () => this.#wanted,
          names: () => this.#names,
          unknown: (dev) => {
            if (this.#unnamed.has(dev)) return;
            this.#unnamed.add(dev);
            void this.#refreshNames();
          },
          delivered: (n) => void (this.#delivered += n),
        },
        push,
        fail,
      ),
    );
  }

  /** Read the device names again (one read at a time), for events of a device new since. */
  #refreshNames(): Promise<void> {
    this.#refreshing ??= this.side.deviceNames().then(
      (names) => {
        this.#names = names;
        this.#refreshing = null;
      },
      () => {
        this.#refreshing = null;
      },
    );
    return this.#refreshing;
  }

  async close(): Promise<void> {
    if (this.#handle !== null && this.#baseCounters !== null) {
      this.stats();
      this.#last = this.kernel();
    }
    this.#programStats.stop();
    this.#settings?.release();
    this.#settings = null;
    this.#handle?.close();
    this.#handle = null;
    this.#layouts = null;
    this.#baseCounters = null;
  }
}
