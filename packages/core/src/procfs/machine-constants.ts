import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataUnavailable } from '../errors/taxonomy.js';

/**
 * One constant of the running machine, measured, or null with the reason it could not be.
 */
export type MachineValue =
  | {
      /** The measured value. */
      value: number;
      /** Always null when a value was measured. */
      reason: null;
    }
  | {
      /** Null: the value could not be measured. */
      value: null;
      /** Why the value could not be measured. */
      reason: string;
    };

/**
 * Constants of the running kernel that procfs values are expressed in, read from the
 * process's auxiliary vector (`/proc/self/auxv`, which the kernel fills at exec) and from
 * `/proc/stat`. None is assumed: each is measured or null with the reason.
 */
export interface MachineConstants {
  /** Bytes per page (`AT_PAGESZ`): converts page counts such as stat's `rss` and statm. */
  readonly pageSize: MachineValue;
  /** Clock ticks per second (`AT_CLKTCK`, USER_HZ): converts stat's time fields. */
  readonly clockTicks: MachineValue;
  /** Boot time in ms since the epoch (`btime` of /proc/stat, whole seconds). */
  readonly bootTimeMs: MachineValue;
}

const AT_NULL = 0n;
const AT_PAGESZ = 6n;
const AT_CLKTCK = 17n;

const cache = new Map<string, MachineConstants>();

/**
 * Read the machine's page size, clock ticks per second and boot time (cached per procfs
 * root; they do not change while the system runs).
 *
 * @param procRoot - procfs root; `self/auxv` and `stat` are read below it
 * @default procRoot `/proc`
 * @returns each constant, or null with the reason it could not be read
 * @example
 * ```ts
 * const { clockTicks } = machineConstants();
 * if (clockTicks.value !== null) seconds = ticks / clockTicks.value;
 * ```
 */
export function machineConstants(procRoot = '/proc'): MachineConstants {
  let found = cache.get(procRoot);
  if (found === undefined) {
    const aux = readAuxv(join(procRoot, 'self/auxv'));
    found = Object.freeze({
      pageSize: auxValue(aux, AT_PAGESZ, 'AT_PAGESZ', 'page size'),
      clockTicks: auxValue(aux, AT_CLKTCK, 'AT_CLKTCK', 'number of clock ticks per second'),
      bootTimeMs: readBootTime(join(procRoot, 'stat')),
    });
    cache.set(procRoot, found);
  }
  return found;
}

type Auxv = { entries: Map<bigint, bigint>; reason: null } | { entries: null; reason: string };

function readAuxv(path: string): Auxv {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return { entries: null, reason: `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  // 64-bit little-endian (type, value) pairs up to AT_NULL; x86_64 is the only target.
  if (buf.length % 16 !== 0 || buf.length === 0) return { entries: null, reason: `${path} is ${buf.length} bytes, not a whole number of 16-byte entries` };
  const entries = new Map<bigint, bigint>();
  for (let off = 0; off < buf.length; off += 16) {
    const type = buf.readBigUInt64LE(off);
    if (type === AT_NULL) break;
    entries.set(type, buf.readBigUInt64LE(off + 8));
  }
  return { entries, reason: null };
}

function auxValue(aux: Auxv, type: bigint, name: string, what: string): MachineValue {
  if (aux.entries === null) return { value: null, reason: `the ${what} is unknown: ${aux.reason}` };
  const v = aux.entries.get(type);
  if (v === undefined || v === 0n) return { value: null, reason: `the ${what} is unknown: the auxiliary vector has no ${name} entry` };
  return { value: Number(v), reason: null };
}

function readBootTime(path: string): MachineValue {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { value: null, reason: `the boot time is unknown: ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  const m = /^btime (\d+)$/m.exec(text);
  if (!m) return { value: null, reason: `the boot time is unknown: ${path} has no btime line` };
  return { value: Number(m[1]) * 1000, reason: null };
}

/**
 * The value of a {@link MachineValue}, or a {@link DataUnavailable} error naming what
 * needed it and why it could not be measured (no constant is assumed in its place).
 *
 * @param value - one of {@link machineConstants}' values
 * @param what - what needs the value, e.g. `the RSS of /proc/<pid>/stat`
 * @returns the measured value
 * @throws {@link DataUnavailable} when the value was not measured
 * @example
 * ```ts
 * const pageSize = requireMachineValue(machineConstants().pageSize, 'rss in bytes');
 * ```
 */
export function requireMachineValue(value: MachineValue, what: string): number {
  if (value.value !== null) return value.value;
  throw new DataUnavailable(what, value.reason, { details: { reason: value.reason } });
}
