import { SOURCE_ATTRIBUTE, type FamilyMetricMapper, type MetricAttributes, type MetricSink, type SourceKind, metricDescriptorFor } from '@bpfscope/core';
import type { WarningLevel } from './predict/predict-exhaustion.js';
import type { CgroupMemoryEntry, MemField, MemMetrics, MemPrediction } from './records.js';

const FAMILY = 'mem';
const d = metricDescriptorFor(FAMILY);

const USAGE = d('system.memory.usage', 'updown', 'By', 'Memory by state (/proc/meminfo): used is MemTotal − MemAvailable, free MemFree, cached Cached, buffers Buffers.');
const LIMIT = d('system.memory.limit', 'updown', 'By', 'Usable RAM (MemTotal).');
const SHARED = d('system.memory.shared', 'updown', 'By', 'Shared memory and tmpfs (Shmem).');
const UTILIZATION = d('system.memory.utilization', 'gauge', '1', 'Used memory (MemTotal − MemAvailable) as a share of MemTotal, 0 to 1.');
const AVAILABLE = d('system.memory.linux.available', 'updown', 'By', 'The kernel’s estimate of memory available for new work without swapping (MemAvailable).');
const SLAB = d('system.memory.linux.slab.usage', 'updown', 'By', 'Kernel slab caches, reclaimable (SReclaimable) and not (SUnreclaim).');
const PAGING_USAGE = d('system.paging.usage', 'updown', 'By', 'Swap space used and free (SwapTotal − SwapFree, SwapFree).');
const PAGING_UTILIZATION = d('system.paging.utilization', 'gauge', '1', 'Swap space used and free as a share of SwapTotal, 0 to 1 (no point without swap).');
const SWAP_CACHED = d('bpfscope.mem.swap.cached', 'updown', 'By', 'Swapped-out memory that is also in RAM (SwapCached).');
const FAULTS = d('system.paging.faults', 'counter', '{fault}', 'Page faults since boot (/proc/vmstat): major pgmajfault, minor pgfault − pgmajfault.');
const OOM_KILLS = d('bpfscope.mem.oom.kills', 'counter', '{kill}', 'OOM kills since the source started (/proc/vmstat oom_kill).');
const CG_USAGE = d('bpfscope.mem.cgroup.usage', 'updown', 'By', 'Memory charged to a limited cgroup (v2 memory.current, v1 memory.usage_in_bytes).');
const CG_LIMIT = d('bpfscope.mem.cgroup.limit', 'updown', 'By', 'A cgroup’s memory limit (v2 memory.max, v1 memory.limit_in_bytes).');
const CG_UTILIZATION = d('bpfscope.mem.cgroup.utilization', 'gauge', '1', 'A cgroup’s usage as a share of its limit, 0 to 1.');
const CG_SWAP = d('bpfscope.mem.cgroup.swap.usage', 'updown', 'By', 'Swap charged to a cgroup (v2 memory.swap.current).');
const CG_LIMIT_HITS = d('bpfscope.mem.cgroup.limit_hits', 'counter', '{event}', 'Times a cgroup’s usage hit its limit (v2 memory.events max, v1 memory.failcnt), since the cgroup was made.');
const CG_OOM_KILLS = d('bpfscope.mem.cgroup.oom.kills', 'counter', '{kill}', 'Processes OOM-killed in a cgroup, since the cgroup was made.');
const EXHAUSTION = d('bpfscope.mem.oom.time_to_exhaustion', 'gauge', 's', 'Predicted seconds until usage reaches the limit (system: MemTotal; cgroup: its limit), where the trend allows a prediction.');
const LEVEL = d('bpfscope.mem.oom.warning_level', 'gauge', '{level}', 'OOM warning level of the system or a cgroup: 0 none, 1 watch, 2 warning, 3 critical.');
const PROCESS_FAULTS = d('bpfscope.mem.process.paging.faults', 'counter', '{fault}', 'Page faults of each process since it started, the processes the family ranks by faults (detail: process; the plugin’s processes: true).', 'process');

const LEVELS: Readonly<Record<WarningLevel, number>> = { none: 0, watch: 1, warning: 2, critical: 3 };

/**
 * The mem family's metric mapper: `system.memory.*`, `system.paging.*` (swap and page
 * faults), OOM kills, the limited cgroups' usage, limits and OOM kills, the OOM
 * predictions (`bpfscope.mem.oom.*`) and, as opt-in detail, the page faults of the
 * processes the family ranks. A field the source could not measure gives no point; each
 * point's `bpfscope.source` is the part's own source. The tables are in docs/metrics.md.
 */
export const memMetricMapper: FamilyMetricMapper<'mem'> = {
  family: FAMILY,
  descriptors: [
    USAGE, LIMIT, SHARED, UTILIZATION, AVAILABLE, SLAB, PAGING_USAGE, PAGING_UTILIZATION, SWAP_CACHED, FAULTS, OOM_KILLS,
    CG_USAGE, CG_LIMIT, CG_UTILIZATION, CG_SWAP, CG_LIMIT_HITS, CG_OOM_KILLS, EXHAUSTION, LEVEL, PROCESS_FAULTS,
  ],
  map(result, sink) {
    const data = result.data;
    const source = (field: MemField): SourceKind => data.fieldSources[field] ?? result.source;
    const since = Date.parse(data.countersSince);
    system(data, source('system'), sink);
    swap(data, source('swap'), sink);
    // /proc/vmstat and each process's faults count from boot (a process from its own start, after boot).
    const boot = data.bootTime === null ? null : Date.parse(data.bootTime);
    if (data.vmstat !== null) {
      const attrs = { [SOURCE_ATTRIBUTE]: source('vmstat') };
      sink.number(FAULTS, boot, { ...attrs, 'system.paging.fault.type': 'major' }, data.vmstat.pgmajfault);
      sink.number(FAULTS, boot, { ...attrs, 'system.paging.fault.type': 'minor' }, data.vmstat.pgfault - data.vmstat.pgmajfault);
    }
    if (data.oom.sinceStart !== null) sink.number(OOM_KILLS, since, { [SOURCE_ATTRIBUTE]: source('oomCounts') }, data.oom.sinceStart);
    for (const entry of data.cgroups?.entries ?? []) cgroup(entry, source('cgroups'), sink);
    for (const p of data.predictions) prediction(p, p.target === 'system' ? source('system') : source('cgroups'), sink);
    if (sink.wants('process')) {
      const attrs = { [SOURCE_ATTRIBUTE]: source('processes') };
      for (const p of data.processes) {
        const who = { ...attrs, 'process.pid': p.pid, 'process.executable.name': p.comm };
        sink.number(PROCESS_FAULTS, boot, { ...who, 'system.paging.fault.type': 'major' }, p.majorFaults);
        sink.number(PROCESS_FAULTS, boot, { ...who, 'system.paging.fault.type': 'minor' }, p.minorFaults);
      }
    }
  },
};

function system(data: MemMetrics, source: SourceKind, sink: MetricSink): void {
  const s = data.system;
  if (s === null) return;
  const attrs = { [SOURCE_ATTRIBUTE]: source };
  const states = [['used', s.usedBytes], ['free', s.freeBytes], ['cached', s.cachedBytes], ['buffers', s.buffersBytes]] as const;
  for (const [state, v] of states) if (v !== null) sink.number(USAGE, null, { ...attrs, 'system.memory.state': state }, v);
  sink.number(LIMIT, null, attrs, s.totalBytes);
  if (s.shmemBytes !== null) sink.number(SHARED, null, attrs, s.shmemBytes);
  if (s.usedFraction !== null) sink.number(UTILIZATION, null, { ...attrs, 'system.memory.state': 'used' }, s.usedFraction);
  if (s.availableBytes !== null) sink.number(AVAILABLE, null, attrs, s.availableBytes);
  const slab = [['reclaimable', s.meminfo.sReclaimable], ['unreclaimable', s.meminfo.sUnreclaim]] as const;
  for (const [state, v] of slab) if (v !== null) sink.number(SLAB, null, { ...attrs, 'system.memory.linux.slab.state': state }, v);
}

function swap(data: MemMetrics, source: SourceKind, sink: MetricSink): void {
  const s = data.swap;
  if (s === null) return;
  const attrs = { [SOURCE_ATTRIBUTE]: source };
  sink.number(PAGING_USAGE, null, { ...attrs, 'system.paging.state': 'used' }, s.usedBytes);
  sink.number(PAGING_USAGE, null, { ...attrs, 'system.paging.state': 'free' }, s.freeBytes);
  if (s.totalBytes > 0) {
    sink.number(PAGING_UTILIZATION, null, { ...attrs, 'system.paging.state': 'used' }, s.usedBytes / s.totalBytes);
    sink.number(PAGING_UTILIZATION, null, { ...attrs, 'system.paging.state': 'free' }, s.freeBytes / s.totalBytes);
  }
  if (s.cachedBytes !== null) sink.number(SWAP_CACHED, null, attrs, s.cachedBytes);
}

// The cgroup counters count from the cgroup's creation, which the family does not carry: no start time.
function cgroup(e: CgroupMemoryEntry, source: SourceKind, sink: MetricSink): void {
  const attrs = { 'bpfscope.cgroup.path': e.path, 'bpfscope.cgroup.hierarchy': e.hierarchy, [SOURCE_ATTRIBUTE]: source };
  const values = [[CG_USAGE, e.usageBytes], [CG_LIMIT, e.limitBytes], [CG_UTILIZATION, e.usageFraction], [CG_SWAP, e.swapBytes], [CG_LIMIT_HITS, e.limitHits], [CG_OOM_KILLS, e.oomKills]] as const;
  for (const [descriptor, v] of values) if (v !== null) sink.number(descriptor, null, attrs, v);
}

function prediction(p: MemPrediction, source: SourceKind, sink: MetricSink): void {
  const attrs: MetricAttributes = p.path === null ? { 'bpfscope.mem.target': p.target, [SOURCE_ATTRIBUTE]: source } : { 'bpfscope.mem.target': p.target, 'bpfscope.cgroup.path': p.path, [SOURCE_ATTRIBUTE]: source };
  sink.number(LEVEL, null, attrs, LEVELS[p.level]);
  if (p.secondsToExhaustion !== null) sink.number(EXHAUSTION, null, attrs, p.secondsToExhaustion);
}
