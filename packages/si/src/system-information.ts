import { ConfigError, isBpfscopeError, type Engine, type FamilyData, type FamilyResult } from '@bpfscope/core';
import { toCurrentLoad, type LoadState } from './current-load.js';
import { toDisksIo, type DisksIoState } from './disks-io.js';
import { toFsSize } from './fs-size.js';
import { NO_CPU_TEMPERATURE, toCpuTemperature, toGraphics } from './hardware.js';
import { toMem } from './mem.js';
import { selectInterfaces, toNetworkConnections, toNetworkStats, type NetworkStatsState } from './network.js';
import { PidFiles } from './pid-files.js';
import { KernelThreadNames, UserNames } from './process-details.js';
import { toProcesses, type ProcessCpuState } from './processes.js';
import { SharedEngine, type SystemInformationOptions } from './shared-engine.js';
import type {
  SiCpuTemperatureData,
  SiCurrentLoadData,
  SiDisksIoData,
  SiFsSizeData,
  SiGraphicsData,
  SiMemData,
  SiNetworkConnectionsData,
  SiNetworkStatsData,
  SiProcessesData,
} from './types.js';

function optionalString(path: string, v: unknown): string | undefined {
  if (v !== undefined && typeof v !== 'string') throw new ConfigError(path, v, 'a string');
  return v;
}

/**
 * systeminformation's functions over one bpfscope engine. Results have systeminformation's
 * shapes and meanings; values bpfscope cannot measure are null (see the README). Nothing here
 * starts a child process. Interval-based values (currentLoad, processes' cpu, network and
 * disk rates) count from this object's previous call of the same function, as
 * systeminformation counts from its own previous call.
 * @example
 * ```ts
 * const si = new SystemInformation();
 * console.log((await si.currentLoad()).currentLoad, (await si.mem()).available);
 * await si.close();
 * ```
 */
export class SystemInformation {
  readonly #shared: SharedEngine;
  readonly #users = new UserNames();
  #load: LoadState | null = null;
  #procCpu: ProcessCpuState | null = null;
  /** What processes() keeps between calls for one procfs root: kernel threads' names and the command lines' descriptors. */
  #files: { procRoot: string; kernelNames: KernelThreadNames; argv: PidFiles } | null = null;
  #closed = false;
  #disks: DisksIoState | null = null;
  readonly #netStats: NetworkStatsState = new Map();
  readonly #commandLines: boolean;

  /**
   * @param options - your engine, or the configuration of the facade's own
   * @throws {@link @bpfscope/core!ConfigError} for a bad option
   */
  constructor(options: SystemInformationOptions = {}) {
    this.#shared = new SharedEngine(options);
    this.#commandLines = options.commandLines ?? true;
  }

  /** The engine in use: the one given, or the facade's own once a call created it (null before). */
  get engine(): Engine | null {
    return this.#shared.engine;
  }

  #roots(): { procRoot: string; sysRoot: string } {
    const c = this.#shared.engine?.config;
    return { procRoot: c?.procRoot ?? '/proc', sysRoot: c?.sysRoot ?? '/sys' };
  }

  /**
   * CPU load over the interval since the previous call (the first: since the cpu counters' origin).
   * @returns systeminformation's `CurrentLoadData` (guest shares null)
   * @throws the cpu family's error when it has no source
   */
  async currentLoad(): Promise<SiCurrentLoadData> {
    const r = await this.#shared.read('cpu');
    this.#load = toCurrentLoad(r.data, r.timestamp, this.#load);
    return this.#load.result;
  }

  /**
   * Memory from /proc/meminfo, bytes.
   * @returns systeminformation's `MemData`
   * @throws the mem family's error, or {@link @bpfscope/core!DataUnavailable} without /proc/meminfo
   */
  async mem(): Promise<SiMemData> {
    return toMem((await this.#shared.read('mem')).data);
  }

  /**
   * Every process, with CPU shares over the interval since the previous call, and its
   * command line unless the option `commandLines` is false.
   * @returns systeminformation's `ProcessesData` (tty null)
   * @throws the proc family's error when it has no source
   */
  async processes(): Promise<SiProcessesData> {
    const r = await this.#shared.read('proc');
    const roots = this.#roots();
    if (this.#files?.procRoot !== roots.procRoot) {
      this.#closeFiles();
      this.#files = { procRoot: roots.procRoot, kernelNames: new KernelThreadNames(roots.procRoot), argv: new PidFiles(roots.procRoot, 'cmdline') };
    }
    const { kernelNames, argv } = this.#files;
    this.#procCpu = toProcesses(r.data, r.timestamp, this.#procCpu, { ...roots, users: this.#users, commandLines: this.#commandLines, kernelNames, argv });
    // A read that was under way when close() ran keeps no descriptor.
    if (this.#closed) this.#closeFiles();
    return this.#procCpu.result;
  }

  /**
   * Interface counters and their rates since the previous call for each interface.
   * @param ifaces - `*` for all, names separated by `,` or `|`, or none for the default route's interface
   * @returns systeminformation's `NetworkStatsData` list, in the order asked
   * @throws {@link @bpfscope/core!ConfigError} when `ifaces` is not a string; the net family's error when it has no source
   */
  async networkStats(ifaces?: string): Promise<SiNetworkStatsData[]> {
    const wanted = optionalString('ifaces', ifaces);
    const r = await this.#shared.read('net');
    const { procRoot, sysRoot } = this.#roots();
    return toNetworkStats(r.data, selectInterfaces(r.data, wanted, procRoot), r.timestamp, this.#netStats, sysRoot);
  }

  /**
   * TCP sockets and connected UDP sockets of the reader's network namespace, as `netstat -tunap` lists them.
   * @returns systeminformation's `NetworkConnectionsData` list
   * @throws the net family's error when it has no source
   */
  async networkConnections(): Promise<SiNetworkConnectionsData[]> {
    return toNetworkConnections((await this.#shared.read('net')).data);
  }

  /**
   * Filesystem usage of the mounts `df` lists (statfs).
   * @param drive - keep only those whose device or mount point contains it
   * @returns systeminformation's `FsSizeData` list
   * @throws {@link @bpfscope/core!ConfigError} when `drive` is not a string; the fs family's error when it has no source
   */
  async fsSize(drive?: string): Promise<SiFsSizeData[]> {
    const d = optionalString('drive', drive);
    return toFsSize((await this.#shared.read('fs')).data, d);
  }

  /**
   * Block I/O of the whole disks, with rates since the previous call.
   * @returns systeminformation's `DisksIoData` (wait times null from procfs)
   * @throws the fs family's error when it has no source
   */
  async disksIO(): Promise<SiDisksIoData> {
    const r = await this.#shared.read('fs');
    this.#disks = toDisksIo(r.data, r.timestamp, this.#disks, this.#roots().sysRoot);
    return this.#disks.result;
  }

  /**
   * CPU temperatures from the thermal family (hwmon coretemp/k10temp channels, thermal zones).
   * A machine without such sensors (most virtual machines) gives nulls and empty lists, as
   * systeminformation does there.
   * @returns systeminformation's `CpuTemperatureData`
   * @throws the thermal family's error when it failed for another reason than no sensor
   */
  async cpuTemperature(): Promise<SiCpuTemperatureData> {
    const t = await this.#hardware('thermal');
    return t === null ? { ...NO_CPU_TEMPERATURE, cores: [], socket: [] } : toCpuTemperature(t.data);
  }

  /**
   * GPUs from the gpu family (NVML, else DRM sysfs): one controller each; displays are not
   * read. A machine without a GPU gives empty lists, as systeminformation does there.
   * @returns systeminformation's `GraphicsData`
   * @throws the gpu family's error when it failed for another reason than no GPU
   */
  async graphics(): Promise<SiGraphicsData> {
    const g = await this.#hardware('gpu');
    return g === null ? { controllers: [], displays: [] } : toGraphics(g.data);
  }

  /**
   * A hardware family's reading, or null when the machine has none of its hardware: the
   * family's DataUnavailable that names what it looked for (not a missing plugin, not a
   * failure of hardware that is there).
   */
  async #hardware<F extends 'thermal' | 'gpu'>(family: F): Promise<FamilyResult<FamilyData<F>> | null> {
    try {
      return await this.#shared.read(family);
    } catch (e) {
      if (isBpfscopeError(e) && e.code === 'DATA_UNAVAILABLE' && Array.isArray(e.details?.lookedFor)) return null;
      throw e;
    }
  }

  #closeFiles(): void {
    this.#files?.argv.close();
    this.#files?.kernelNames.close();
  }

  /** Stop the facade's own engine (an engine you gave is left running); later calls reject with {@link @bpfscope/core!Closed}. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closeFiles();
    await this.#shared.close();
  }
}
