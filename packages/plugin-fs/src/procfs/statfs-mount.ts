import { statfsSync, promises as fsp, type BigIntStatsFs } from 'node:fs';

/**
 * Filesystem types listed only with the `allMounts` option: kernel interfaces and
 * bookkeeping mounts with no storage behind them (df leaves them out too).
 * @internal
 */
export const PSEUDO_FS_TYPES: ReadonlySet<string> = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'efivarfs', 'fusectl',
  'mqueue', 'nsfs', 'proc', 'pstore', 'rpc_pipefs', 'securityfs', 'selinuxfs', 'sysfs', 'tracefs',
]);

/**
 * Types whose statfs(2) asks a server that may not answer: read through the thread pool, so
 * that a dead server holds one pool thread until the engine's read time limit, not the
 * event loop. Local filesystems are read synchronously: the kernel answers from memory.
 */
const REMOTE = /^(nfs4?|cifs|smb3|9p|ceph|glusterfs|afs|lustre|fuse(\..*)?|fuseblk)$/;

/** What statfs(2) says of one mount point, in bytes and inodes. @internal */
export interface Usage {
  size: number;
  used: number;
  available: number;
  /** f_files; 0 when the filesystem does not count inodes. */
  inodes: number;
  inodesFree: number;
}

/** Why statfs failed: the system call's code, or the message of an error without one. @internal */
export class StatfsFailure {
  constructor(readonly reason: string) {}
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'ENOENT: the mount point no longer exists (unmounted since the table was read)',
  ENOTDIR: 'ENOTDIR: the mount point is no longer a directory',
  EACCES: 'EACCES: no search permission on the path to the mount point',
  EPERM: 'EPERM: the filesystem refused statfs',
  ESTALE: 'ESTALE: a stale handle (the server lost the export)',
  EIO: 'EIO: the filesystem reported an I/O error',
  ENOTCONN: 'ENOTCONN: the filesystem\'s server is gone (a FUSE daemon that exited)',
  EHOSTDOWN: 'EHOSTDOWN: the filesystem\'s server is down',
  ETIMEDOUT: 'ETIMEDOUT: the filesystem\'s server did not answer',
  ENOSYS: 'ENOSYS: the filesystem does not implement statfs',
};

function usage(s: BigIntStatsFs): Usage {
  // Node gives f_bsize and not f_frsize, which statfs(2) counts blocks in; the two are
  // equal on every local filesystem Linux has (the kernel sets f_frsize = f_bsize unless the
  // filesystem says otherwise: docs/fs.md says where they may differ).
  const b = s.bsize;
  return {
    size: Number(s.blocks * b),
    used: Number((s.blocks - s.bfree) * b),
    available: Number(s.bavail * b),
    inodes: Number(s.files),
    inodesFree: Number(s.ffree),
  };
}

function failure(e: unknown): StatfsFailure {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return new StatfsFailure(REASONS[code] ?? `${code}: statfs failed`);
  throw e; // not a system call's failure: a bug
}

/**
 * statfs(2) on a mount point, with `fs.statfsSync` (or `fs.promises.statfs` for a network
 * or FUSE filesystem).
 * @param path - the mount point
 * @param fsType - its filesystem type
 * @returns the usage, or why statfs failed
 * @internal
 */
export async function statfsMount(path: string, fsType: string): Promise<Usage | StatfsFailure> {
  try {
    return usage(REMOTE.test(fsType) ? await fsp.statfs(path, { bigint: true }) : statfsSync(path, { bigint: true }));
  } catch (e) {
    return failure(e);
  }
}
