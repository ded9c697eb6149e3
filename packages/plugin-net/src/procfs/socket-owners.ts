import { isBpfscopeError, type ProcfsReader } from '@bpfscope/core';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Who holds which socket, from the descriptors in /proc/&lt;pid&gt;/fd. @internal */
export interface SocketOwners {
  /** Socket inode → the PIDs holding a descriptor of it, ascending. */
  byInode: Map<number, number[]>;
  /** PID → command name, for the PIDs that hold a socket. */
  comms: Map<number, string>;
  /** Processes whose descriptors could not be listed (permission denied: another user's, without CAP_SYS_PTRACE). */
  unreadable: number;
  /** Processes that exited while they were read. */
  vanished: number;
}

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/**
 * Map socket inodes to the processes that hold them: every link in /proc/&lt;pid&gt;/fd that
 * reads `socket:[inode]` (what `ss -p` and `lsof` do).
 * @param procfs - the procfs reader (its `procRoot` is listed)
 * @returns the owners
 * @internal
 */
export function scanSocketOwners(procfs: ProcfsReader): SocketOwners {
  const out: SocketOwners = { byInode: new Map(), comms: new Map(), unreadable: 0, vanished: 0 };
  for (const e of procfs.listProc('')) {
    if (!/^\d+$/.test(e.name)) continue;
    const pid = Number(e.name);
    const dir = join(procfs.procRoot, e.name, 'fd');
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch (err) {
      countFailure(out, err);
      continue;
    }
    let holds = false;
    let denied = false;
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(join(dir, fd));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue; // closed meanwhile (or the process exited)
        if (code !== 'EACCES' && code !== 'EPERM') throw err;
        denied = true; // listing is allowed but following is not (no ptrace access to the process)
        break;
      }
      const m = SOCKET_LINK.exec(link);
      if (m === null) continue;
      const inode = Number(m[1]);
      const pids = out.byInode.get(inode);
      if (pids === undefined) out.byInode.set(inode, [pid]);
      else if (pids.at(-1) !== pid) pids.push(pid); // pids come in listing order, one pid's fds together
      holds = true;
    }
    if (denied) out.unreadable++;
    if (holds) {
      try {
        out.comms.set(pid, procfs.readProc(`${e.name}/comm`).replace(/\n$/, ''));
      } catch (err) {
        if (!isBpfscopeError(err)) throw err;
        out.comms.set(pid, '');
      }
    }
  }
  for (const pids of out.byInode.values()) pids.sort((a, b) => a - b);
  return out;
}

function countFailure(out: SocketOwners, err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') out.vanished++;
  else if (code === 'EACCES' || code === 'EPERM') out.unreadable++;
  else throw err;
}
