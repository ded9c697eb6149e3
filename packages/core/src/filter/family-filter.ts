/** An inclusive range of port numbers, as {@link FamilyFilter.portRanges} takes it. */
export interface PortRange {
  /** The first port of the range (0 to 65535). */
  readonly from: number;
  /** The last port of the range, inclusive (from `from` to 65535). */
  readonly to: number;
}

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
  /** Leave out tasks in these cgroup v2 groups. Matches {@link FilterRecord.cgroupId}. */
  excludeCgroupIds?: ReadonlyArray<number | bigint>;
  /** Count only tasks in these mount namespaces (the inode number `readlink /proc/<pid>/ns/mnt` shows). Matches {@link FilterRecord.mountNamespace}. */
  mountNamespaces?: readonly number[];
  /** Count only tasks in these network namespaces (the inode number of `/proc/<pid>/ns/net`). Matches {@link FilterRecord.netNamespace}. */
  netNamespaces?: readonly number[];
  /**
   * Count only these processes and all their descendants: the processes alive below them when
   * the filter is set, and every process forked from a member later (the syscall family
   * follows forks in the kernel, at `sched_process_fork`). Matches {@link FilterRecord.pid}
   * with {@link FilterRecord.ancestors}; a record without ancestors passes.
   */
  descendantsOf?: readonly number[];
  /** Count only these system calls (x86_64 numbers). Matches {@link FilterRecord.syscallId}. */
  syscalls?: readonly number[];
  /** Count only system calls of these kinds (the syscall family's categories: `file_io`, `network`, `memory`, `process`, `time`, `ipc`, `signal`, `other`, `unknown`). Matches {@link FilterRecord.syscallCategory}. */
  syscallCategories?: readonly string[];
  /** Count only these transport protocols. Matches {@link FilterRecord.protocol}. */
  protocols?: ReadonlyArray<'tcp' | 'udp'>;
  /** Count only traffic with a port (local or remote) in one of these inclusive ranges. Matches {@link FilterRecord.ports}. */
  portRanges?: readonly PortRange[];
  /** Keep only these kinds of process: `user` (has an address space) or `kernel` (a kernel thread). Matches {@link FilterRecord.processKind}. */
  processKinds?: ReadonlyArray<'user' | 'kernel'>;
  /** Count only I/O on these block devices, as `major:minor` (`8:0`, `259:1`; what `lsblk` shows as MAJ:MIN). Matches {@link FilterRecord.device}. */
  devices?: readonly string[];
  /** Count only files under these absolute paths (`/var/log`, `/data/db.sqlite`); a prefix ends at a `/` boundary. Matches {@link FilterRecord.path}. */
  pathPrefixes?: readonly string[];
  /** Count only these kinds of file operation (the fs family's `open`, `close`, `read`, `write`, `fsync`). Matches {@link FilterRecord.fileOperations}. */
  fileOperations?: ReadonlyArray<FileOperation>;
  /** User space only: keep processes at this priority or higher, i.e. with a nice value ≤ this (−20 to 19). Matches {@link FilterRecord.nice}. */
  maxNice?: number;
  /** User space only: keep records with at least this CPU share, % of one core. Matches {@link FilterRecord.cpuPercent}. */
  minCpuPercent?: number;
  /** User space only: keep records with at least this much memory, bytes. Matches {@link FilterRecord.memoryBytes}. */
  minMemoryBytes?: number;
  /** User space only: keep records with at least this many system calls. Matches {@link FilterRecord.syscallCount}. */
  minSyscallCount?: number;
  /** User space only: keep records with at least this many network bytes (sent + received). Matches {@link FilterRecord.networkBytes}. */
  minNetworkBytes?: number;
}

/** A kind of file operation, as {@link FamilyFilter.fileOperations} takes it. */
export type FileOperation = 'open' | 'close' | 'read' | 'write' | 'fsync';

/** The name of one part of a {@link FamilyFilter}. */
export type FilterPart = keyof FamilyFilter;

/**
 * What the engine's user-space filter sees of one record of a family. A collector maps its
 * records to this shape; a field a record does not carry (a per-syscall row has no `pid`)
 * leaves that record unjudged by the parts over that field: it passes them. A field set to
 * `null` is carried but could not be read for this record (a namespace link procfs refused):
 * an allow list refuses the record, since it cannot be shown to belong, and a deny list lets
 * it through.
 */
export interface FilterRecord {
  /** Process id (tgid). */
  pid?: number;
  /** Parent process id first, then its parent's and so on (for {@link FamilyFilter.descendantsOf}). */
  ancestors?: readonly number[];
  /** Task name. */
  comm?: string;
  /** cgroup v2 id, or null when it could not be read. */
  cgroupId?: bigint | null;
  /** Mount namespace inode number, or null when it could not be read. */
  mountNamespace?: number | null;
  /** Network namespace inode number, or null when it could not be read. */
  netNamespace?: number | null;
  /** System call number. */
  syscallId?: number;
  /** System call kind (the syscall family's category). */
  syscallCategory?: string;
  /** Transport protocol. */
  protocol?: 'tcp' | 'udp';
  /** Ports of the record (local and remote); it passes a port filter when one of them is in a range. */
  ports?: readonly number[];
  /** `user` or `kernel` (kernel thread). */
  processKind?: 'user' | 'kernel';
  /** Nice value, −20 to 19. */
  nice?: number;
  /** CPU share, % of one core. */
  cpuPercent?: number;
  /** Memory, bytes. */
  memoryBytes?: number;
  /** System calls counted. */
  syscallCount?: number;
  /** Network bytes, sent + received. */
  networkBytes?: number;
  /** Block device as `major:minor`, or null when the record's device is not known. */
  device?: string | null;
  /** Absolute path, or null when it could not be resolved (an allow list of prefixes then refuses the record). */
  path?: string | null;
  /** The kinds of file operation the record counts (a file read and written: `['read', 'write']`); it passes when one is allowed. */
  fileOperations?: readonly FileOperation[];
}

/** What a source applied in the kernel, and what it left to the engine. */
export interface PushdownResult {
  /** Parts now applied by the kernel programs. */
  readonly pushedDown: readonly FilterPart[];
  /** Parts the source could not apply; the engine applies them in user space. */
  readonly notPushed: readonly FilterPart[];
}

/** The list parts of a filter. @internal */
export const LIST_PARTS = [
  'pids', 'excludePids', 'descendantsOf', 'comms', 'excludeComms', 'cgroupIds', 'excludeCgroupIds', 'mountNamespaces', 'netNamespaces',
  'syscalls', 'syscallCategories', 'protocols', 'portRanges', 'processKinds', 'devices', 'pathPrefixes', 'fileOperations',
] as const;
/** The threshold parts of a filter (user space only). @internal */
export const THRESHOLD_PARTS = ['maxNice', 'minCpuPercent', 'minMemoryBytes', 'minSyscallCount', 'minNetworkBytes'] as const;

/** The parts a filter sets, in a fixed order. */
export function filterParts(filter: FamilyFilter): FilterPart[] {
  return ([...LIST_PARTS, ...THRESHOLD_PARTS] as FilterPart[]).filter((p) => filter[p] !== undefined);
}

/** Whether `path` is `prefix` or lies below it (`/var/log` holds `/var/log/syslog`, not `/var/logs`). */
function underPath(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path[prefix.length] === '/';
}

/** Whether a part over a field the record carries refuses it (allow lists: not listed; deny lists: listed). */
function refuses(filter: FamilyFilter, part: FilterPart, r: FilterRecord): boolean {
  switch (part) {
    case 'pids': return r.pid !== undefined && !filter.pids!.includes(r.pid);
    case 'excludePids': return r.pid !== undefined && filter.excludePids!.includes(r.pid);
    case 'descendantsOf': return r.pid !== undefined && r.ancestors !== undefined && !filter.descendantsOf!.some((d) => d === r.pid || r.ancestors!.includes(d));
    case 'comms': return r.comm !== undefined && !filter.comms!.includes(r.comm);
    case 'excludeComms': return r.comm !== undefined && filter.excludeComms!.includes(r.comm);
    case 'cgroupIds': return r.cgroupId !== undefined && (r.cgroupId === null || !filter.cgroupIds!.some((c) => BigInt(c) === r.cgroupId));
    case 'excludeCgroupIds': return r.cgroupId != null && filter.excludeCgroupIds!.some((c) => BigInt(c) === r.cgroupId);
    case 'mountNamespaces': return r.mountNamespace !== undefined && (r.mountNamespace === null || !filter.mountNamespaces!.includes(r.mountNamespace));
    case 'netNamespaces': return r.netNamespace !== undefined && (r.netNamespace === null || !filter.netNamespaces!.includes(r.netNamespace));
    case 'syscalls': return r.syscallId !== undefined && !filter.syscalls!.includes(r.syscallId);
    case 'syscallCategories': return r.syscallCategory !== undefined && !filter.syscallCategories!.includes(r.syscallCategory);
    case 'protocols': return r.protocol !== undefined && !filter.protocols!.includes(r.protocol);
    case 'portRanges': return r.ports !== undefined && !r.ports.some((p) => filter.portRanges!.some((g) => p >= g.from && p <= g.to));
    case 'processKinds': return r.processKind !== undefined && !filter.processKinds!.includes(r.processKind);
    case 'devices': return r.device !== undefined && (r.device === null || !filter.devices!.includes(r.device));
    case 'pathPrefixes': return r.path !== undefined && (r.path === null || !filter.pathPrefixes!.some((p) => underPath(r.path!, p)));
    case 'fileOperations': return r.fileOperations !== undefined && !r.fileOperations.some((o) => filter.fileOperations!.includes(o));
    case 'maxNice': return r.nice !== undefined && r.nice > filter.maxNice!;
    case 'minCpuPercent': return r.cpuPercent !== undefined && r.cpuPercent < filter.minCpuPercent!;
    case 'minMemoryBytes': return r.memoryBytes !== undefined && r.memoryBytes < filter.minMemoryBytes!;
    case 'minSyscallCount': return r.syscallCount !== undefined && r.syscallCount < filter.minSyscallCount!;
    case 'minNetworkBytes': return r.networkBytes !== undefined && r.networkBytes < filter.minNetworkBytes!;
  }
}

/**
 * Whether a record passes the given parts of a filter. A part over a field the record
 * does not carry lets it through.
 */
export function recordPasses(filter: FamilyFilter, parts: readonly FilterPart[], r: FilterRecord): boolean {
  for (const part of parts) if (refuses(filter, part, r)) return false;
  return true;
}
