import { ConfigError } from '../errors/taxonomy.js';
import { LIST_PARTS, THRESHOLD_PARTS, type FamilyFilter } from './family-filter.js';

type Mutable = { -readonly [K in keyof FamilyFilter]: FamilyFilter[K] };

const ALL_PARTS: readonly string[] = [...LIST_PARTS, ...THRESHOLD_PARTS];

function list(at: string, key: string, v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(`${at}.${key}`, v, `an array of ${what}`);
  return v;
}

function ints(at: string, key: string, v: unknown, one: string, min: number, max: number): number[] {
  const out = list(at, key, v, `${one}s`).map((x, i) => {
    if (!Number.isInteger(x) || (x as number) < min || (x as number) > max) throw new ConfigError(`${at}.${key}[${i}]`, x, `a ${one} from ${min} to ${max}`);
    return x as number;
  });
  return [...new Set(out)];
}

function names<T extends string>(at: string, key: string, v: unknown, allowed: readonly T[] | null, what: string): T[] {
  const out = list(at, key, v, what).map((x, i) => {
    if (typeof x !== 'string' || x.length === 0 || (allowed !== null && !allowed.includes(x as T))) {
      throw new ConfigError(`${at}.${key}[${i}]`, x, allowed === null ? `a non-empty string (${what})` : `one of ${allowed.join(', ')}`);
    }
    return x as T;
  });
  return [...new Set(out)];
}

function cgroups(at: string, key: string, v: unknown): Array<number | bigint> {
  return list(at, key, v, 'cgroup v2 ids').map((c, i) => {
    const ok = typeof c === 'bigint' ? c > 0n : Number.isSafeInteger(c) && (c as number) > 0;
    if (!ok) throw new ConfigError(`${at}.${key}[${i}]`, c, 'a cgroup v2 id (the inode number of the group directory, e.g. stat -c %i /sys/fs/cgroup/unified/x)');
    // Kept as given: a number stays a number, so that stats stay JSON-serialisable.
    return c as number | bigint;
  });
}

function portRanges(at: string, v: unknown): Array<{ from: number; to: number }> {
  return list(at, 'portRanges', v, 'port ranges such as { from: 80, to: 443 }').map((r, i) => {
    const g = r as { from?: unknown; to?: unknown } | null;
    const port = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65535;
    if (g === null || typeof g !== 'object' || !port(g.from) || !port(g.to) || (g.from as number) > (g.to as number)) {
      throw new ConfigError(`${at}.portRanges[${i}]`, r, '{ from, to }: ports from 0 to 65535 with from ≤ to');
    }
    return { from: g.from as number, to: g.to as number };
  });
}

/**
 * Check a filter at the boundary and return a copy (lists without repeats, syscall numbers sorted).
 * @throws {@link ConfigError} naming e.g. `filter.syscall.pids[0]` for a bad value or an unknown part
 */
export function validateFamilyFilter(family: string, filter: FamilyFilter): FamilyFilter {
  const at = `filter.${family}`;
  if (filter === null || typeof filter !== 'object') throw new ConfigError(at, filter, 'an object such as { pids: [1234] }');
  for (const key of Object.keys(filter)) {
    if (!ALL_PARTS.includes(key)) throw new ConfigError(`${at}.${key}`, (filter as Record<string, unknown>)[key], `one of ${ALL_PARTS.join(', ')}`);
  }
  const out: Mutable = {};
  const f = filter as Record<string, unknown>;
  for (const key of ['pids', 'excludePids', 'descendantsOf'] as const) if (f[key] !== undefined) out[key] = ints(at, key, f[key], 'process ID', 1, 4_194_304);
  for (const key of ['comms', 'excludeComms'] as const) {
    if (f[key] === undefined) continue;
    out[key] = names(at, key, f[key], null, 'task names').map((c, i) => {
      if (Buffer.byteLength(c) > 15) throw new ConfigError(`${at}.${key}[${i}]`, c, 'a task name of 1 to 15 bytes (the kernel keeps 15)');
      return c;
    });
  }
  for (const key of ['cgroupIds', 'excludeCgroupIds'] as const) if (f[key] !== undefined) out[key] = cgroups(at, key, f[key]);
  for (const key of ['mountNamespaces', 'netNamespaces'] as const) {
    if (f[key] !== undefined) out[key] = ints(at, key, f[key], 'namespace inode number (readlink /proc/<pid>/ns/mnt)', 1, 0xffff_ffff);
  }
  if (f.syscalls !== undefined) out.syscalls = ints(at, 'syscalls', f.syscalls, 'x86_64 system call number', 0, 511).sort((a, b) => a - b);
  if (f.syscallCategories !== undefined) out.syscallCategories = names(at, 'syscallCategories', f.syscallCategories, null, 'system call kinds');
  if (f.protocols !== undefined) out.protocols = names(at, 'protocols', f.protocols, ['tcp', 'udp'] as const, 'protocols');
  if (f.portRanges !== undefined) out.portRanges = portRanges(at, f.portRanges);
  if (f.processKinds !== undefined) out.processKinds = names(at, 'processKinds', f.processKinds, ['user', 'kernel'] as const, 'process kinds');
  if (f.devices !== undefined) {
    out.devices = names(at, 'devices', f.devices, null, 'block devices as major:minor').map((d, i) => {
      const m = /^(\d{1,4}):(\d{1,7})$/.exec(d);
      if (m === null || Number(m[1]) > 4095 || Number(m[2]) > 1_048_575) throw new ConfigError(`${at}.devices[${i}]`, d, "a block device as 'major:minor' (e.g. '8:0'; lsblk shows MAJ:MIN)");
      return `${Number(m[1])}:${Number(m[2])}`;
    });
  }
  if (f.pathPrefixes !== undefined) {
    out.pathPrefixes = names(at, 'pathPrefixes', f.pathPrefixes, null, 'absolute paths').map((p, i) => {
      if (!p.startsWith('/') || p.includes('\0') || Buffer.byteLength(p) > 4095) throw new ConfigError(`${at}.pathPrefixes[${i}]`, p, 'an absolute path (starting with /, at most 4095 bytes)');
      return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
    });
  }
  if (f.fileOperations !== undefined) out.fileOperations = names(at, 'fileOperations', f.fileOperations, ['open', 'close', 'read', 'write', 'fsync'] as const, 'file operations');
  if (f.maxNice !== undefined) {
    if (!Number.isInteger(f.maxNice) || (f.maxNice as number) < -20 || (f.maxNice as number) > 19) throw new ConfigError(`${at}.maxNice`, f.maxNice, 'an integer from -20 to 19');
    out.maxNice = f.maxNice as number;
  }
  for (const key of ['minCpuPercent', 'minMemoryBytes', 'minSyscallCount', 'minNetworkBytes'] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`${at}.${key}`, v, 'a finite number ≥ 0');
    out[key] = v;
  }
  return out;
}
