import { ConfigError } from '../errors/taxonomy.js';

/**
 * A run-time filter of one family, set with `engine.setFilter(family, filter)`. Every part
 * is optional; an absent part lets everything through. The parts a family's source can
 * apply in the kernel are pushed down ({@link PushdownResult}); the engine applies the rest
 * in user space to the records the family's collector exposes ({@link FilterRecord}).
 */
export interface FamilyFilter {
  /** Count only these processes (process ids, i.e. tgid: what `ps` shows). Matches {@link FilterRecord.pid}. */
  pids?: readonly number[];
  /** Leave these processes out. Matches {@link FilterRecord.pid}. */
  excludePids?: readonly number[];
  /** Count only tasks with one of these names (`comm`, at most 15 bytes). Matches {@link FilterRecord.comm}. */
  comms?: readonly string[];
  /** Leave tasks with these names out. Matches {@link FilterRecord.comm}. */
  excludeComms?: readonly string[];
  /** Count only tasks in these cgroup v2 groups (the inode number of the group's directory). Matches {@link FilterRecord.cgroupId}. */
  cgroupIds?: ReadonlyArray<number | bigint>;
  /** Count only these system calls (x86_64 numbers). Matches {@link FilterRecord.syscallId}. */
  syscalls?: readonly number[];
  /** User space only: keep records with at least this CPU share, % of one core. Matches {@link FilterRecord.cpuPercent}. */
  minCpuPercent?: number;
  /** User space only: keep records with at least this much memory, bytes. Matches {@link FilterRecord.memoryBytes}. */
  minMemoryBytes?: number;
  /** User space only: keep records with at least this many system calls. Matches {@link FilterRecord.syscallCount}. */
  minSyscallCount?: number;
}

/** The name of one part of a {@link FamilyFilter}. */
export type FilterPart = keyof FamilyFilter;

/**
 * What the engine's user-space filter sees of one record of a family. A collector maps its
 * records to this shape; a field a record does not carry (a per-syscall row has no `pid`)
 * leaves that record unjudged by the parts over that field: it passes them.
 */
export interface FilterRecord {
  /** Process id (tgid). */
  pid?: number;
  /** Task name. */
  comm?: string;
  /** cgroup v2 id. */
  cgroupId?: bigint;
  /** System call number. */
  syscallId?: number;
  /** CPU share, % of one core. */
  cpuPercent?: number;
  /** Memory, bytes. */
  memoryBytes?: number;
  /** System calls counted. */
  syscallCount?: number;
}

/** What a source applied in the kernel, and what it left to the engine. */
export interface PushdownResult {
  /** Parts now applied by the kernel programs. */
  readonly pushedDown: readonly FilterPart[];
  /** Parts the source could not apply; the engine applies them in user space. */
  readonly notPushed: readonly FilterPart[];
}

const LISTS = ['pids', 'excludePids', 'comms', 'excludeComms', 'cgroupIds', 'syscalls'] as const;
const THRESHOLDS = ['minCpuPercent', 'minMemoryBytes', 'minSyscallCount'] as const;

/** The parts a filter sets, in a fixed order. */
export function filterParts(filter: FamilyFilter): FilterPart[] {
  return ([...LISTS, ...THRESHOLDS] as FilterPart[]).filter((p) => filter[p] !== undefined);
}

/**
 * Check a filter at the boundary and return a copy.
 * @throws {@link ConfigError} naming e.g. `filter.syscall.pids[0]` for a bad value or an unknown part
 */
export function validateFamilyFilter(family: string, filter: FamilyFilter): FamilyFilter {
  const at = `filter.${family}`;
  if (filter === null || typeof filter !== 'object') throw new ConfigError(at, filter, 'an object such as { pids: [1234] }');
  for (const key of Object.keys(filter)) {
    if (!(LISTS as readonly string[]).includes(key) && !(THRESHOLDS as readonly string[]).includes(key)) {
      throw new ConfigError(`${at}.${key}`, (filter as Record<string, unknown>)[key], `one of ${[...LISTS, ...THRESHOLDS].join(', ')}`);
    }
  }
  const out: { -readonly [K in keyof FamilyFilter]: FamilyFilter[K] } = {};
  for (const key of ['pids', 'excludePids'] as const) {
    const v = filter[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw new ConfigError(`${at}.${key}`, v, 'an array of process ids');
    v.forEach((p, i) => {
      if (!Number.isInteger(p) || p <= 0 || p > 4_194_304) throw new ConfigError(`${at}.${key}[${i}]`, p, 'a process ID from 1 to 4194304');
    });
    out[key] = [...new Set(v)];
  }
  for (const key of ['comms', 'excludeComms'] as const) {
    const v = filter[key];
    if (v === undefined) continue;
    if (!Array.isArray(v)) throw new ConfigError(`${at}.${key}`, v, 'an array of task names');
    v.forEach((c, i) => {
      if (typeof c !== 'string' || c.length === 0 || Buffer.byteLength(c) > 15) throw new ConfigError(`${at}.${key}[${i}]`, c, 'a task name of 1 to 15 bytes (the kernel keeps 15)');
    });
    out[key] = [...new Set(v)];
  }
  if (filter.cgroupIds !== undefined) {
    const v = filter.cgroupIds;
    if (!Array.isArray(v)) throw new ConfigError(`${at}.cgroupIds`, v, 'an array of cgroup v2 ids');
    out.cgroupIds = v.map((c, i) => {
      const ok = typeof c === 'bigint' ? c > 0n : Number.isSafeInteger(c) && c > 0;
      if (!ok) throw new ConfigError(`${at}.cgroupIds[${i}]`, c, 'a cgroup v2 id (the inode number of the group directory, e.g. stat -c %i /sys/fs/cgroup/unified/x)');
      // Kept as given: a number stays a number, so that stats stay JSON-serialisable.
      return c;
    });
  }
  if (filter.syscalls !== undefined) {
    const v = filter.syscalls;
    if (!Array.isArray(v)) throw new ConfigError(`${at}.syscalls`, v, 'an array of system call numbers');
    v.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s >= 512) throw new ConfigError(`${at}.syscalls[${i}]`, s, 'an x86_64 system call number from 0 to 511');
    });
    out.syscalls = [...new Set(v)].sort((a, b) => a - b);
  }
  for (const key of THRESHOLDS) {
    const v = filter[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${at}.${key}`, v, 'a finite number ≥ 0');
    out[key] = v;
  }
  return out;
}

/**
 * Whether a record passes the given parts of a filter. A part over a field the record
 * does not carry lets it through.
 */
export function recordPasses(filter: FamilyFilter, parts: readonly FilterPart[], r: FilterRecord): boolean {
  for (const part of parts) {
    switch (part) {
      case 'pids': if (r.pid !== undefined && !filter.pids!.includes(r.pid)) return false; break;
      case 'excludePids': if (r.pid !== undefined && filter.excludePids!.includes(r.pid)) return false; break;
      case 'comms': if (r.comm !== undefined && !filter.comms!.includes(r.comm)) return false; break;
      case 'excludeComms': if (r.comm !== undefined && filter.excludeComms!.includes(r.comm)) return false; break;
      case 'cgroupIds': if (r.cgroupId !== undefined && !filter.cgroupIds!.some((c) => BigInt(c) === r.cgroupId)) return false; break;
      case 'syscalls': if (r.syscallId !== undefined && !filter.syscalls!.includes(r.syscallId)) return false; break;
      case 'minCpuPercent': if (r.cpuPercent !== undefined && r.cpuPercent < filter.minCpuPercent!) return false; break;
      case 'minMemoryBytes': if (r.memoryBytes !== undefined && r.memoryBytes < filter.minMemoryBytes!) return false; break;
      case 'minSyscallCount': if (r.syscallCount !== undefined && r.syscallCount < filter.minSyscallCount!) return false; break;
    }
  }
  return true;
}
