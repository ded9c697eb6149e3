// Task state letters as the kernel's task_state_index() (fs/proc/array.c) computes them.
const TASK_REPORT = 0x7f; // RUNNING..PARKED: the states procfs reports
const TASK_REPORT_IDLE = 0x80;
const TASK_UNINTERRUPTIBLE = 0x2;
const TASK_NOLOAD = 0x400;
const TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD;
const TASK_RTLOCK_WAIT = 0x1000;
const TASK_FROZEN = 0x8000;
const LETTERS = 'RSDTtXZPI';

/**
 * The one-letter state procfs shows for a task (`R`, `S`, `D`, `T`, `t`, `X`, `Z`, `P`,
 * `I`), from its `__state` and `exit_state` words. The bit values are those of Linux 6.1
 * and later (TASK_FROZEN, TASK_RTLOCK_WAIT); older kernels share the reported bits.
 * @param state - `task->__state`
 * @param exitState - `task->exit_state`
 * @internal
 */
export function taskStateLetter(state: number, exitState: number): string {
  let s = (state | exitState) & TASK_REPORT;
  if ((state & TASK_IDLE) === TASK_IDLE) s = TASK_REPORT_IDLE;
  if ((state & TASK_RTLOCK_WAIT) !== 0 || (state & TASK_FROZEN) !== 0) s = TASK_UNINTERRUPTIBLE;
  // fls(): 0 → R, 1 → S, 2 → D, 4 → T, ..., 0x80 → I
  return LETTERS[s === 0 ? 0 : 32 - Math.clz32(s)] as string;
}
