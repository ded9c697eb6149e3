import { Closed, ConfigError, DataUnavailable, createEngine, type BpfscopeConfig, type Engine, type FamilyData, type FamilyResult, type Logger, type Plugin, type Snapshot } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { fs } from '@bpfscope/plugin-fs';
import { gpu } from '@bpfscope/plugin-gpu';
import { mem } from '@bpfscope/plugin-mem';
import { net } from '@bpfscope/plugin-net';
import { proc } from '@bpfscope/plugin-proc';
import { thermal } from '@bpfscope/plugin-thermal';

/** The bpfscope families the facade reads. */
export type SiFamily = 'cpu' | 'mem' | 'proc' | 'net' | 'fs' | 'thermal' | 'gpu';

/** Options of {@link SystemInformation}; all optional. */
export interface SystemInformationOptions {
  /**
   * Your engine, with the plugins of the functions you call (`cpu` for currentLoad, `mem`,
   * `proc` for processes, `net` for networkStats and networkConnections, `fs` for fsSize and
   * disksIO, `thermal` for cpuTemperature, `gpu` for graphics). The facade reads it with `collect()` (so its `cache.ttlMs` applies), never adds
   * plugins to it and does not close it.
   * @default an engine of the facade's own, created at the first call with the plugin that
   *   call needs, given the other plugins as later calls need them, closed by {@link SystemInformation.close}
   */
  engine?: Engine;
  /** Configuration of the facade's own engine (not with `engine`), e.g. `{ mode: 'fallback' }`. Its `cache` is replaced by the facade's reuse window. @default bpfscope's defaults */
  config?: BpfscopeConfig;
  /** Logger of the facade's own engine (not with `engine`). @default JSON lines on stderr at `config.logLevel` */
  logger?: Logger;
  /**
   * Calls within this many ms of the facade's last reading share it (as systeminformation
   * answers calls within 200 to 500 ms from its last result), so `currentLoad()`, `mem()`
   * and `processes()` in a row cost one reading. 0: every call reads. Own engine only.
   * @default 200
   */
  reuseMs?: number;
  /**
   * Whether `processes()` reads each process's command line (/proc/&lt;pid&gt;/cmdline) for
   * `command`, `params` and `path`, as systeminformation's shape has them. Arguments can
   * hold secrets: false leaves every cmdline unread (`command` is then the kernel's 15-byte
   * name, `params` and `path` empty). Nothing else in bpfscope reads command lines or
   * environments (docs/reliability.md).
   * @default true
   */
  commandLines?: boolean;
}

const PLUGINS: Record<SiFamily, () => Plugin> = {
  // Pressure is not part of any systeminformation shape; cgroups and per-process faults are not either.
  cpu: () => cpu({ pressure: false }),
  mem: () => mem({ cgroups: false, processes: false }),
  proc: () => proc(),
  net: () => net(),
  fs: () => fs(),
  thermal: () => thermal(),
  gpu: () => gpu(),
};

/**
 * The own engine's configuration: the user's, the cache replaced by the facade's reuse
 * window, and the gpu family from its device sources unless the user chose a mode: graphics()
 * needs no per-process CUDA uprobes, which every CUDA call of the machine would pay for.
 */
function ownConfig(config: BpfscopeConfig): BpfscopeConfig {
  return { ...config, cache: { enabled: false }, families: { ...config.families, gpu: { mode: 'fallback', ...config.families?.gpu } } };
}

/**
 * The one engine behind the facade: the user's, or its own, created on first use and given
 * each family's plugin when a call first needs it.
 * @internal
 */
export class SharedEngine {
  readonly #given: Engine | null;
  readonly #config: BpfscopeConfig;
  readonly #logger: Logger | undefined;
  readonly #reuseMs: number;
  #own: Engine | null = null;
  readonly #families = new Set<SiFamily>();
  #last: Snapshot | null = null;
  #reading: Promise<Snapshot> | null = null;
  #closed = false;

  constructor(options: SystemInformationOptions) {
    if (typeof options !== 'object' || options === null) throw new ConfigError('options', options, 'an options object');
    if (options.engine !== undefined) {
      for (const k of ['config', 'logger', 'reuseMs'] as const) {
        if (options[k] !== undefined) throw new ConfigError(k, options[k], 'no value with `engine` (configure that engine instead)');
      }
    }
    const reuse = options.reuseMs ?? 200;
    if (typeof reuse !== 'number' || !Number.isInteger(reuse) || reuse < 0 || reuse > 3_600_000) throw new ConfigError('reuseMs', reuse, 'an integer from 0 to 3600000 (ms)');
    this.#given = options.engine ?? null;
    this.#config = options.config ?? {};
    this.#logger = options.logger;
    this.#reuseMs = reuse;
    if (options.commandLines !== undefined && typeof options.commandLines !== 'boolean') throw new ConfigError('commandLines', options.commandLines, 'true or false');
  }

  /** The engine in use: the given one, or the own one once created (null before). */
  get engine(): Engine | null {
    return this.#given ?? this.#own;
  }

  /**
   * A family's result from a reading that has it: the last one when it is recent enough
   * (own engine), else a new one.
   * @throws the family's error when it failed in that reading; {@link DataUnavailable} when the given engine lacks the family's plugin; {@link Closed} after close
   */
  async read<F extends SiFamily>(family: F): Promise<FamilyResult<FamilyData<F>>> {
    if (this.#closed) throw new Closed('@bpfscope/si');
    const snapshot = this.#given ? await this.#given.collect() : await this.#ownReading(family);
    const result = snapshot.get(family);
    if (result) return result;
    const failed = snapshot.errors.find((e) => e.family === family);
    if (failed) throw failed.error;
    throw new DataUnavailable(`the ${family} family`, `the engine given to @bpfscope/si has no ${family} plugin`);
  }

  async #ownReading(family: SiFamily): Promise<Snapshot> {
    const engine = (this.#own ??= createEngine({ plugins: [], config: ownConfig(this.#config), ...(this.#logger ? { logger: this.#logger } : {}) }));
    if (!this.#families.has(family)) {
      engine.use(PLUGINS[family]());
      this.#families.add(family);
    }
    for (;;) {
      const last = this.#last;
      if (last && (last.get(family) || last.errors.some((e) => e.family === family)) && Date.now() - last.timestamp < this.#reuseMs) return last;
      if (!this.#reading) {
        // One reading at a time: concurrent calls wait for it, then look again.
        this.#reading = engine.collect().finally(() => (this.#reading = null));
        this.#last = await this.#reading;
        return this.#last;
      }
      await this.#reading.catch(() => undefined);
    }
  }

  /** Stop the own engine (a given engine is left running). Later calls reject with {@link Closed}. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#reading?.catch(() => undefined);
    const own = this.#own;
    this.#own = null;
    this.#last = null;
    await own?.close();
  }
}
