// Shared by the plugin's real-kernel tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export { listProc, unreachableInit, type ProcEntry } from '../../../test/proc-list.js';
import type { ProcEntry } from '../../../test/proc-list.js';

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
