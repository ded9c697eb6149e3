export { syscall, SyscallCollector, SYSCALL_OPTION_SCHEMA, type SyscallPlugin, type SyscallPluginOptions } from './plugin.js';
export { syscallMetricMapper } from './metrics.js';
export type { SyscallEvent, SyscallEventOptions } from './ebpf/syscall-events.js';
export { SyscallEbpfSource } from './ebpf/syscall-ebpf-source.js';
export { SyscallProcfsSource } from './procfs/syscall-procfs-source.js';
export type { SyscallFilter } from './syscall-filter.js';
export type {
  SyscallMetrics,
  SyscallMode,
  SyscallStat,
  ProcessSyscallRecord,
  CategoryStat,
  SyscallFilterState,
  ProcessCallStat,
  SyscallTotals,
  SyscallKernelStats,
} from './records.js';
export type { SyscallCategory } from './syscall-category.js';
export { SYSCALL_CATEGORY_NAMES } from './syscall-category.js';
export { X86_64_SYSCALLS, SYSCALL_TABLE_SOURCE } from './syscall-table.generated.js';
export { syscallName, syscallNumber, syscallCategory } from './syscall-table.js';
export { parseIoSyscallCounts, type IoSyscallCounts } from './procfs/parse-io-syscalls.js';
export {
  parsePidSyscall,
  type CurrentSyscall,
  type InSyscall,
  type SyscallRunning,
  type NotInSyscall,
  type NoUserContext,
} from './procfs/parse-pid-syscall.js';
export {
  readProcessSyscalls,
  PROCFS_SYSCALL_UNAVAILABLE,
  type ProcessSyscalls,
  type ProcessSyscallsResult,
  type ProcessSyscallsRead,
  type ProcessVanished,
  type SyscallField,
} from './procfs/read-process-syscalls.js';
