// What /proc says about every process, for the real-kernel tests that compare the
// task iterator with it (native and plugin-proc).
import { readdirSync, readFileSync } from 'node:fs';

const PF_KTHREAD = 0x0020_0000;

/** What /proc/<pid>/stat says now, for one process. */
export interface ProcEntry {
  ppid: number;
  comm: string;
  starttime: string;
  kthread: boolean;
}

/** Every process /proc lists now. */
export function listProc(): Map<number, ProcEntry> {
  const out = new Map<number, ProcEntry>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    const close = stat.lastIndexOf(')');
    const rest = stat.slice(close + 2).split(' ');
    out.set(Number(name), { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(rest[1]), starttime: rest[19] ?? '', kthread: (Number(rest[6]) & PF_KTHREAD) !== 0 });
  }
  return out;
}

/**
 * Pid 1 when the kernel's task iterator cannot reach it. On the Firecracker VMs
 * these tests run on, pid 1 is a VM agent that is not its own session leader
 * (NSsid 0, where any normal init has 1) and whose struct pid does not lead to
 * its task: the kernel's iter/task skips it and its threads (bpftool iter shows
 * the same). Anywhere else pid 1 is checked like every other process.
 */
export function unreachableInit(): Set<number> {
  try {
    return /^NSsid:\s+0$/m.test(readFileSync('/proc/1/status', 'utf8')) ? new Set([1]) : new Set();
  } catch {
    return new Set();
  }
}
