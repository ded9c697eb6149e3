import { ConfigError, type FamilyOptions, type OptionSchema } from '@bpfscope/core';
import { OomPredictor, type OomPredictorOptions } from './predict/oom-predictor.js';
import type { mem } from './plugin.js';

/**
 * Options of the {@link mem} plugin; every field optional. `config.families.mem` may override
 * `processes`, `topProcesses`, `pids`, `cgroups` and `maxOomVictims` (see {@link MEM_OPTION_SCHEMA}).
 */
export interface MemPluginOptions {
  /**
   * Read per-process faults (the task iterator with eBPF, each /proc/&lt;pid&gt;/stat with
   * procfs) for `processes` and `processCount`. Opt-in, as per-process detail is in every
   * family: off, a reading reads no process (`processes` is empty and `processCount` null,
   * with the reason in `unavailable.processes`), which makes a mem reading about a third
   * cheaper. The proc family gives every process's faults too.
   * @default false, or true when `topProcesses` or `pids` is given (here, or in `config.families.mem`)
   */
  processes?: boolean;
  /** How many processes a reading lists (with `processes` on), most faults in the last interval first. Giving it turns `processes` on unless that is set. @default 20 */
  topProcesses?: number;
  /** Report only these processes (by PID; with `processes` on). Giving it turns `processes` on unless that is set. @default every process */
  pids?: readonly number[];
  /** Read limited memory cgroups (and predict their exhaustion). @default true */
  cgroups?: boolean;
  /** Window and thresholds of the OOM predictor (see {@link OomPredictor}). @default capacity 60 samples, the default thresholds */
  prediction?: OomPredictorOptions;
  /** OOM victims a reading keeps (eBPF), oldest dropped first and counted. @default 100 */
  maxOomVictims?: number;
  /** Path of the compiled eBPF object. @default the `bpf/mem.bpf.o` shipped in this package */
  objectPath?: string;
}

/** Options checked, defaults filled in. @internal */
export interface ResolvedMemOptions {
  processes: boolean;
  topProcesses: number;
  pids: ReadonlySet<number> | null;
  cgroups: boolean;
  prediction: OomPredictorOptions;
  maxOomVictims: number;
  objectPath: string;
}

const whole = (path: string, v: unknown, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(path, v, `an integer from ${min} to ${max}`);
  return v;
};

/** Check the options. @internal */
export function resolveMemOptions(o: MemPluginOptions, defaultObjectPath: string): ResolvedMemOptions {
  let pids: Set<number> | null = null;
  if (o.pids !== undefined) {
    if (!Array.isArray(o.pids)) throw new ConfigError('mem.pids', o.pids, 'an array of PIDs');
    pids = new Set(o.pids.map((p: unknown, i) => whole(`mem.pids[${i}]`, p, 1, 4_194_304)));
  }
  if (o.cgroups !== undefined && typeof o.cgroups !== 'boolean') throw new ConfigError('mem.cgroups', o.cgroups, 'true or false');
  if (o.processes !== undefined && typeof o.processes !== 'boolean') throw new ConfigError('mem.processes', o.processes, 'true or false');
  if (o.objectPath !== undefined && (typeof o.objectPath !== 'string' || o.objectPath === '')) throw new ConfigError('mem.objectPath', o.objectPath, 'a file path');
  const prediction = { ...o.prediction };
  new OomPredictor(prediction); // validates now, so a bad option fails the factory and not the first read
  return {
    processes: o.processes ?? asksForList(o),
    topProcesses: o.topProcesses === undefined ? 20 : whole('mem.topProcesses', o.topProcesses, 0, 1_000_000),
    pids,
    cgroups: o.cgroups ?? true,
    prediction,
    maxOomVictims: o.maxOomVictims === undefined ? 100 : whole('mem.maxOomVictims', o.maxOomVictims, 0, 1_000_000),
    objectPath: o.objectPath ?? defaultObjectPath,
  };
}

/**
 * The options `config.families.mem` may hold (besides the engine's `mode`, `enabled`,
 * `initTimeoutMs`, `readTimeoutMs`); each overrides the factory's option of the same name.
 */
export const MEM_OPTION_SCHEMA: OptionSchema = Object.freeze({
  processes: { type: 'boolean' },
  topProcesses: { type: 'integer', min: 0, max: 1_000_000 },
  pids: { type: 'integer[]', min: 1, max: 4_194_304 },
  cgroups: { type: 'boolean' },
  maxOomVictims: { type: 'integer', min: 0, max: 1_000_000 },
});

/** Whether options say which processes to list (`topProcesses`, `pids`): asking that asks for the list. */
function asksForList(o: { topProcesses?: unknown; pids?: unknown }): boolean {
  return o.topProcesses !== undefined || o.pids !== undefined;
}

/** The factory's options overridden by the family's validated config. @internal */
export function withFamilyOptions(o: ResolvedMemOptions, config: FamilyOptions): ResolvedMemOptions {
  return {
    ...o,
    processes: (config.processes as boolean | undefined) ?? (asksForList(config) || o.processes),
    topProcesses: (config.topProcesses as number | undefined) ?? o.topProcesses,
    pids: config.pids === undefined ? o.pids : new Set(config.pids as readonly number[]),
    cgroups: (config.cgroups as boolean | undefined) ?? o.cgroups,
    maxOomVictims: (config.maxOomVictims as number | undefined) ?? o.maxOomVictims,
  };
}
