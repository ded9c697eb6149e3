/**
 * `@bpfscope/plugin-proc`: the `proc` metric family (the process table from the kernel's
 * task iterator, or from procfs) and process trees kept from fork/exec/exit events.
 *
 * @packageDocumentation
 */
export { proc, ProcCollector, PROC_OPTION_SCHEMA, type ProcPluginOptions } from './plugin.js';
export { procMetricMapper } from './metrics.js';
export { ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
export type { ProcEventOptions } from './tree/event-filter.js';
export { ProcProcfsSource } from './procfs/proc-procfs-source.js';
export type { ProcessSelection, TopKOption } from './selection.js';
export type { ProcessRecord, ProcessField, ProcessCategory, ProcMetrics, ProcMetricField } from './records.js';
export { ProcessTree, type ProcessEventListener } from './tree/process-tree.js';
export {
  openProcessTree,
  watchProcessTree,
  processEvents,
  type ProcessTreeOptions,
  type WatchProcessTreeOptions,
  type ProcessEventsOptions,
} from './tree/tree-api.js';
export type { ProcessNode, ProcessTreeSummary, ProcessTreeStats, TreeTotals, TreeLosses } from './tree/tree-types.js';
export type { ProcessEvent, ProcessEventType, LiveProcessEventType, ProcessEventBase, ForkEvent, ExecEvent, ExitEvent, PresentEvent, ExitTotals } from './tree/events.js';
export { parsePidStat, PF_KTHREAD, type PidStat, type PidStatOptions } from './procfs/parse-pid-stat.js';
export { parsePidStatus, type PidStatus, type StatusIds } from './procfs/parse-pid-status.js';
export { parsePidIo, type PidIo } from '@bpfscope/core';
export { parsePidCgroup, cgroupV2Path, type CgroupMembership } from './procfs/parse-pid-cgroup.js';
export { containerFromCgroupPath, type ContainerIdentity, type ContainerRuntime } from './procfs/container-id.js';
export { readProcess, type ReadProcessOptions, type ProcessReadResult, type ProcessRead, type ProcessVanished } from './procfs/read-process.js';
export { scanProcesses, type ScanOptions, type ProcessScan } from './procfs/scan-processes.js';
export { filterByPids, filterByComm, filterByCategory, filterByPriorityRange, globToRegExp, type PriorityRange } from './filters.js';
export { topProcesses, type TopMeasure, type TopProcesses } from './top-k.js';
export { readReapedChildren, reapedSince, type ReapedChildren, type ReapedIo } from './procfs/reaped-children.js';
