import { CLOCK, COLLECTOR, OBJECT_LOADER, PROCFS_READER, familyOptionsToken, inject, injectable, type Clock, type Collector, type FamilyOptions, type FilterRecord, type InjectionToken, type ObjectLoader, type Plugin, type ProcfsReader, type Source } from '@bpfscope/core';
import { registerObjectLoader } from '@bpfscope/native';
import { deviceFilterRecord, fileFilterRecord, mountFilterRecord, processFilterRecord } from './filter-record.js';
import { FS_BLOCK_OBJECT_PATH, FS_FILE_OBJECT_PATH } from './object-path.js';
import { FS_OPTION_SCHEMA, resolveFsOptions, withFamilyOptions, type FsPluginOptions, type ResolvedFsOptions } from './options.js';
import { FsEbpfSource } from './ebpf/fs-ebpf-source.js';
import { fsMetricMapper } from './metrics.js';
import { FilePart } from './ebpf/files/file-part.js';
import { FsProcfsSource } from './procfs/fs-procfs-source.js';
import { FsSideReader } from './procfs/fs-side-reader.js';
import type { FsMetrics } from './records.js';
import type { FsServices } from './services.js';

/** Token of the plugin's checked factory options inside its container. @internal */
export const FS_OPTIONS: InjectionToken<ResolvedFsOptions> = Symbol.for('bpfscope.plugin-fs.options');

/**
 * The fs family's collector. Its sources are made per engine, with the engine's services
 * (the object loader, the procfs reader, the clock) and the family's validated options
 * (`config.families.fs` over the factory's); mounts and device names are read by one
 * {@link FsSideReader} that every source of the engine shares.
 */
@injectable()
export class FsCollector implements Collector<FsMetrics> {
  readonly family = 'fs';
  readonly sources: readonly Source<FsMetrics>[];

  /** @internal the engine's container constructs it, with these tokens */
  constructor(
    @inject(FS_OPTIONS) options: ResolvedFsOptions,
    @inject(familyOptionsToken('fs')) config: FamilyOptions,
    @inject(OBJECT_LOADER) loader: ObjectLoader,
    @inject(PROCFS_READER) procfs: ProcfsReader,
    @inject(CLOCK) clock: Clock,
  ) {
    const merged = withFamilyOptions(options, config);
    const services: FsServices = { loader, procfs, clock };
    const side = new FsSideReader(procfs, merged);
    const filePart = merged.processes || merged.files ? new FilePart(merged, services) : null;
    this.sources = [new FsEbpfSource(merged, services, side, filePart), new FsProcfsSource(merged, services, side)];
  }

  /**
   * The engine's user-space filter over files (`device`, `path` — null when unresolved or
   * truncated — and `fileOperations`), processes (`pid`, `comm`, `fileOperations`), devices
   * and mounts (`device`, as `major:minor`). The sources judge their records by the filter
   * before their cuts (`maxFiles`, `topK`): the eBPF source in the kernel where it can, the
   * fallback its processes as it reads them.
   */
  filterRecords(data: FsMetrics, keep: (record: FilterRecord) => boolean): FsMetrics {
    return {
      ...data,
      files: data.files.filter((f) => keep(fileFilterRecord(f))),
      processes: data.processes.filter((p) => keep(processFilterRecord(p))),
      devices: data.devices.filter((d) => keep(deviceFilterRecord(d))),
      mounts: data.mounts.filter((m) => keep(mountFilterRecord(m))),
    };
  }
}

/**
 * The fs plugin: file operations per file and per process, block-device I/O with latency
 * histograms per direction, and filesystem usage per mount, from eBPF or from procfs and
 * sysfs (`/proc/diskstats`, `/proc/<pid>/io`, statfs). Slow block I/O and opens of watched
 * paths arrive through `engine.events('fs')` with the eBPF source.
 *
 * @example
 * ```ts
 * const engine = createEngine({ plugins: [fs({ topK: 10 })] });
 * const d = (await engine.collect()).get('fs')?.data;
 * for (const m of d?.mounts ?? []) console.log(m.mountPoint, m.fsType, m.used, m.size);
 * for (const dev of d?.devices ?? []) console.log(dev.name, dev.bytesRead, dev.bytesWritten);
 * ```
 * @param options - all optional
 * @returns the plugin
 * @throws {@link @bpfscope/core!ConfigError} for an invalid option
 */
export function fs(options: FsPluginOptions = {}): Plugin {
  const resolved = resolveFsOptions(options, { blockObjectPath: FS_BLOCK_OBJECT_PATH, fileObjectPath: FS_FILE_OBJECT_PATH });
  return {
    name: 'fs',
    version: '0.1.0',
    optionSchemas: { fs: FS_OPTION_SCHEMA },
    metricMappers: [fsMetricMapper],
    register(container) {
      container.register(FS_OPTIONS, { useValue: resolved });
      registerObjectLoader(container);
      container.register(COLLECTOR, { useClass: FsCollector });
    },
  };
}
