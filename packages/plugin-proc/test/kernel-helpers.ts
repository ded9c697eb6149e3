// Shared by the plugin's real-kernel tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What /proc/<pid>/stat says now, for every process /proc lists. */
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
    out.set(Number(name), { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(rest[1]), starttime: rest[19] ?? '', kthread: (Number(rest[6]) & 0x0020_0000) !== 0 });
  }
  return out;
}

/**
 * Pid 1 when the kernel's task iterator cannot reach it. On the Firecracker VMs these
 * tests run on, pid 1 is a VM agent that is not its own session leader (NSsid 0, where
 * any normal init has 1) and whose struct pid does not lead to its task: the kernel's
 * iter/task skips it and its threads (bpftool iter shows the same; see
 * packages/native/src/iterator.native.test.ts). Anywhere else pid 1 is checked like
 * every other process.
 */
export function unreachableInit(): Set<number> {
  try {
    return /^NSsid:\s+0$/m.test(readFileSync('/proc/1/status', 'utf8')) ? new Set([1]) : new Set();
  } catch {
    return new Set();
  }
}

/** /proc shows kernel threads by their full name (workers with their workqueue): task->comm is its start. */
export function sameComm(taskComm: string, proc: ProcEntry | { comm: string; kthread: boolean }): boolean {
  return proc.kthread && taskComm.length > 0 ? proc.comm.startsWith(taskComm) : proc.comm === taskComm;
}

/** Resolves once the child has been spawned. */
export const spawned = (c: ChildProcess): Promise<void> => new Promise((resolve, reject) => { c.once('spawn', resolve); c.once('error', reject); });

/** Resolves when the child has exited (and Node has reaped it). */
export const exited = (c: ChildProcess): Promise<void> => new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

/** A shell that burns some CPU then execs sleep (stable CPU time while it sleeps); resolves once it sleeps. */
export async function burnThenSleep(loops: number, sleepSeconds: number): Promise<ChildProcess> {
  const c = spawn('sh', ['-c', `i=0; while [ $i -lt ${loops} ]; do i=$((i+1)); done; exec sleep ${sleepSeconds}`], { stdio: 'ignore' });
  await spawned(c);
  while (readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim() !== 'sleep') await new Promise((r) => setTimeout(r, 20));
  return c;
}
