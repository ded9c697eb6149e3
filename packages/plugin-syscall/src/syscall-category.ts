/**
 * What kind of work a system call asks the kernel for. The assignment of each x86_64
 * call is hand-written in `scripts/syscall-categories.mjs` (documented there) and baked
 * into the generated table; a call of the table listed nowhere is `other`. A number the
 * table does not have (a call newer than the table) is `unknown`: its kind is not known.
 *
 * - `file_io`: files, directories, descriptors, select/poll/epoll, aio and io_uring,
 *   file-system notifications, mounts
 * - `network`: sockets
 * - `memory`: the address space (mmap, brk, madvise, mlock, NUMA policy, memfd, ...)
 * - `process`: creation, exec, exit, wait, IDs and credentials, scheduling, limits, namespaces
 * - `time`: clocks, sleeps, timers
 * - `ipc`: pipes, System V and POSIX IPC, futexes, eventfd, cross-process memory copies
 * - `signal`: sending, blocking, waiting for and handling signals
 * - `other`: administration, modules, kexec, keys, bpf, perf, randomness, obsolete entries
 * - `unknown`: numbers the table does not have
 */
export type SyscallCategory = 'file_io' | 'network' | 'memory' | 'process' | 'time' | 'ipc' | 'signal' | 'other' | 'unknown';

/** Every {@link SyscallCategory}, in the order above. */
export const SYSCALL_CATEGORY_NAMES: readonly SyscallCategory[] = Object.freeze(['file_io', 'network', 'memory', 'process', 'time', 'ipc', 'signal', 'other', 'unknown']);
