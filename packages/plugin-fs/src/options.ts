import { ConfigError, type FamilyOptions, type OptionSchema } from '@bpfscope/core';

/**
 * Options of the `fs` plugin; every field optional. Run-time filters (pids, cgroups,
 * devices, path prefixes, operation kinds) are set with `engine.setFilter('fs', ...)`; the
 * eBPF source applies them in the kernel. `config.families.fs` may override the fields of
 * {@link FS_OPTION_SCHEMA}.
 */
export interface FsPluginOptions {
  /**
   * Count operations per file (device + inode, with its path). It adds work to every read,
   * write, open, close and fsync system call (docs/fs.md gives the cost in ns per call), so
   * it is off unless asked for; without it `files` is empty and said unavailable.
   * @default false
   */
  files?: boolean;
  /**
   * Count file I/O per process in the kernel (eBPF: read and write calls on regular files,
   * their bytes, opens, fsyncs). It adds a program to the return of every system call (docs/fs-files.md
   * gives the cost), so it is off unless asked for: without it both sources list processes
   * from /proc/&lt;pid&gt;/io (every read- and write-like call, files or not, over each
   * process's life; no opens or fsyncs). With `files: true` the same program runs anyway, and
   * counting processes in it costs little more, so it follows `files` unless set.
   * @default the value of `files` (false)
   */
  processes?: boolean;
  /** How many files the kernel table holds (at most 65,536, the shipped object's table); operations on files beyond it are counted in `filesLeftOut`. @default 10240 */
  maxTrackedFiles?: number;
  /** How many files a reading lists, most bytes first. @default 100 */
  maxFiles?: number;
  /** How many processes a reading lists, most bytes first. @default 100 */
  topK?: number;
  /** How many processes each file lists as its top users. @default 5 */
  topProcesses?: number;
  /** Threshold (user space): keep files and processes with at least this many bytes read plus written. @default 0 */
  minBytes?: number;
  /** Block I/O slower than this (µs, from the request's start to its completion) is reported as a `slow-io` event. @default 10000 */
  slowIoThresholdUs?: number;
  /** Opens of files under these absolute paths are reported as `open` events (needs `files`). @default none */
  watchPaths?: readonly string[];
  /** List pseudo filesystems (proc, sysfs, cgroup, devpts, bpf, ...) and filesystems of size 0 among `mounts` too. @default false: only filesystems with a size, as `df` lists them (tmpfs included) */
  allMounts?: boolean;
  /** Path of the compiled block-device eBPF object. @default the `bpf/fs_block.bpf.o` shipped in this package */
  blockObjectPath?: string;
  /** Path of the compiled file eBPF object (per-process and per-file accounting). @default the `bpf/fs_file.bpf.o` shipped in this package */
  fileObjectPath?: string;
}

/** Options checked, defaults filled in. @internal */
export interface ResolvedFsOptions {
  files: boolean;
  processes: boolean;
  /** Whether `processes` was given (else it follows `files`, also when config overrides `files`). */
  processesGiven: boolean;
  maxTrackedFiles: number;
  maxFiles: number;
  topK: number;
  topProcesses: number;
  minBytes: number;
  slowIoThresholdUs: number;
  watchPaths: readonly string[];
  allMounts: boolean;
  blockObjectPath: string;
  fileObjectPath: string;
}

/** The shipped objects' paths, the defaults of the path options. @internal */
export interface FsObjectPaths {
  blockObjectPath: string;
  fileObjectPath: string;
}

const whole = (path: string, v: unknown, min: number, max: number, fallback: number): number => {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(path, v, `an integer from ${min} to ${max}`);
  return v;
};

const flag = (path: string, v: unknown, fallback: boolean): boolean => {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(path, v, 'true or false');
  return v;
};

const filePath = (path: string, v: unknown, fallback: string): string => {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new ConfigError(path, v, 'a file path');
  return v;
};

function watchPaths(v: unknown): readonly string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ConfigError('fs.watchPaths', v, 'an array of absolute paths');
  return [...new Set(v.map((p: unknown, i) => {
    if (typeof p !== 'string' || !p.startsWith('/') || p.includes('\0') || Buffer.byteLength(p) > 4095) {
      throw new ConfigError(`fs.watchPaths[${i}]`, p, 'an absolute path (starting with /, at most 4095 bytes)');
    }
    return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  }))];
}

/**
 * Check the options.
 * @throws {@link ConfigError} naming the option, the value and what is allowed
 * @internal
 */
export function resolveFsOptions(o: FsPluginOptions, defaults: FsObjectPaths): ResolvedFsOptions {
  if (typeof o !== 'object' || o === null) throw new ConfigError('fs', o, 'an options object');
  return {
    files: flag('fs.files', o.files, false),
    processes: flag('fs.processes', o.processes, o.files === true),
    processesGiven: o.processes !== undefined,
    maxTrackedFiles: whole('fs.maxTrackedFiles', o.maxTrackedFiles, 1, 65_536, 10_240),
    maxFiles: whole('fs.maxFiles', o.maxFiles, 0, 1_048_576, 100),
    topK: whole('fs.topK', o.topK, 0, 1_000_000, 100),
    topProcesses: whole('fs.topProcesses', o.topProcesses, 0, 64, 5),
    minBytes: whole('fs.minBytes', o.minBytes, 0, Number.MAX_SAFE_INTEGER, 0),
    slowIoThresholdUs: whole('fs.slowIoThresholdUs', o.slowIoThresholdUs, 0, 3_600_000_000, 10_000),
    watchPaths: watchPaths(o.watchPaths),
    allMounts: flag('fs.allMounts', o.allMounts, false),
    blockObjectPath: filePath('fs.blockObjectPath', o.blockObjectPath, defaults.blockObjectPath),
    fileObjectPath: filePath('fs.fileObjectPath', o.fileObjectPath, defaults.fileObjectPath),
  };
}

/**
 * The options `config.families.fs` may hold (besides the engine's `mode`, `enabled`,
 * `initTimeoutMs`, `readTimeoutMs`, `cache`); each overrides the factory's option of the
 * same name.
 */
export const FS_OPTION_SCHEMA: OptionSchema = Object.freeze({
  files: { type: 'boolean' },
  processes: { type: 'boolean' },
  maxTrackedFiles: { type: 'integer', min: 1, max: 65_536 },
  maxFiles: { type: 'integer', min: 0, max: 1_048_576 },
  topK: { type: 'integer', min: 0, max: 1_000_000 },
  topProcesses: { type: 'integer', min: 0, max: 64 },
  minBytes: { type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER },
  slowIoThresholdUs: { type: 'integer', min: 0, max: 3_600_000_000 },
  watchPaths: { type: 'string[]' },
  allMounts: { type: 'boolean' },
});

/**
 * The factory's options overridden by the family's validated config.
 * @throws {@link ConfigError} naming `families.fs.<key>` for a bad value
 * @internal
 */
export function withFamilyOptions(o: ResolvedFsOptions, config: FamilyOptions): ResolvedFsOptions {
  const given = Object.fromEntries(Object.entries(config).filter(([k, v]) => v !== undefined && k in FS_OPTION_SCHEMA)) as FsPluginOptions;
  if (Object.keys(given).length === 0) return o;
  let fromConfig: ResolvedFsOptions;
  try {
    fromConfig = resolveFsOptions(given, o);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`families.${e.path}`, e.value, e.allowed, { cause: e });
    throw e;
  }
  const out: ResolvedFsOptions = { ...o };
  for (const k of Object.keys(given) as Array<keyof FsPluginOptions & keyof ResolvedFsOptions>) (out as unknown as Record<string, unknown>)[k] = fromConfig[k];
  if (given.processes === undefined && !o.processesGiven) out.processes = out.files;
  else out.processesGiven = true;
  return out;
}
