// Waiting until a child is off the CPU, blocked in a known system call. Reading
// /proc/<pid>/task/<tid>/syscall makes the kernel wait until the thread is really
// switched out (wait_task_inactive) and shows "running" otherwise, so once every
// thread shows its blocking call, the thread's switch out has completed (sched_switch
// ran) and its counters (switches, faults, CPU time) hold still until it is woken.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** x86-64 numbers of the calls the test children block in. */
export const SYS = { read: 0, futex: 202 } as const;

/** The system call number each thread of `pid` is blocked in; null for a thread not blocked in one. */
export function blockedCalls(pid: number): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let text = 'running';
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'utf8').trim();
    } catch {
      continue; // the thread exited meanwhile
    }
    const nr = /^(\d+) /.exec(text)?.[1];
    out.set(Number(tid), nr === undefined ? null : Number(nr));
  }
  return out;
}

/**
 * Resolves once `pid` has exactly `threads` threads and each is blocked in one of
 * `calls` (the main thread, tid = pid, in `mainCall`). Polls; a thread is never
 * assumed to get there within some time. Throws after `giveUpMs` only to end a hung test.
 */
export async function waitBlocked(
  pid: number,
  options: { mainCall?: number; calls?: readonly number[]; threads?: number; giveUpMs?: number } = {},
): Promise<void> {
  const { mainCall = SYS.read, calls = [mainCall], threads = 1, giveUpMs = 60_000 } = options;
  const start = Date.now();
  let seen = new Map<number, number | null>();
  while (Date.now() - start < giveUpMs) {
    seen = blockedCalls(pid);
    const ok =
      seen.size === threads &&
      seen.get(pid) === mainCall &&
      [...seen.values()].every((nr) => nr !== null && calls.includes(nr));
    if (ok) return;
    await sleep(2);
  }
  throw new Error(`pid ${pid} did not block as expected: ${JSON.stringify([...seen])}`);
}
