import type { FamilyResult } from '@bpfscope/core';
import type { SyscallMetrics } from '@bpfscope/plugin-syscall';
import type { TreeFinal, TreeSample } from './tree-tracker.js';
import { formatBytes } from '../units.js';

/** Syscall figures of the tree in a sample or the summary. */
export interface RunSyscalls {
  /** Where they came from. */
  source: string;
  /** Calls made by the tree; null from procfs. */
  count: number | null;
  /** Failed calls; null when not measured. */
  errors: number | null;
  /** Calls per category; null from procfs. */
  byCategory: Record<string, number> | null;
  /** The most frequent calls with their latency (eBPF). */
  top: Array<{ name: string; count: number; errors: number | null; avgUs: number | null }>;
  /** Every call made, by name (eBPF). */
  calls: Record<string, number>;
  /** Read-class and write-class calls of the tree (procfs only: /proc/&lt;pid&gt;/io of live processes, and of reaped ones through their reaper). */
  readWriteCalls: { read: number; write: number } | null;
  /** Why fields are null. */
  unavailable: Record<string, string>;
}

/** One JSON line of `bpfscope run --json`: a sample every interval. */
export interface RunSampleLine extends TreeSample {
  type: 'sample';
  /** ms since the command started. */
  elapsedMs: number;
  syscalls: RunSyscalls | null;
}

/** The last JSON line of `bpfscope run --json`. */
export interface RunSummaryLine {
  type: 'summary';
  command: string[];
  exitCode: number;
  signal: string | null;
  wallSeconds: number;
  tree: TreeFinal;
  syscalls: RunSyscalls | null;
  errors: Array<{ family: string; code: string; message: string }>;
}

/**
 * The tree's syscall figures: from the syscall family (filtered to the tree in the
 * kernel), or with procfs, the read-class and write-class calls the tree tracker measured.
 */
export function runSyscalls(r: FamilyResult<SyscallMetrics> | undefined, tree: TreeSample, top = 10): RunSyscalls | null {
  if (!r) return null;
  const d = r.data;
  const byCategory = d.categories ? Object.fromEntries(Object.entries(d.categories).filter(([, c]) => c.count > 0).map(([k, c]) => [k, c.count])) : null;
  const procfs = d.mode === 'procfs';
  const readWriteCalls = procfs && tree.readCalls !== null && tree.writeCalls !== null ? { read: tree.readCalls, write: tree.writeCalls } : null;
  const unavailable = { ...d.unavailable } as Record<string, string>;
  if (procfs) {
    delete unavailable.processCounts;
    if (readWriteCalls === null) unavailable.readWriteCalls = 'the I/O counters of a process of the tree could not be read (/proc/<pid>/io)';
  }
  return {
    source: r.source,
    count: d.total.count,
    errors: d.total.errors,
    byCategory,
    top: d.syscalls.slice(0, top).map((s) => ({ name: s.name ?? `#${s.id}`, count: s.count, errors: s.errors, avgUs: s.avgNs === null ? null : Math.round(s.avgNs / 10) / 100 })),
    calls: Object.fromEntries(d.syscalls.map((c) => [c.name ?? `#${c.id}`, c.count])),
    readWriteCalls,
    unavailable,
  };
}

const n = (v: number | null, digits = 0, unit = ''): string => (v === null ? '-' : `${v.toFixed(digits)}${unit}`);

/** Human form of the summary. */
export function formatSummary(s: RunSummaryLine): string {
  const t = s.tree;
  const lines = [
    '',
    `bpfscope run: ${s.command.join(' ')}`,
    `  exit ${s.signal ? `by signal ${s.signal}` : `code ${s.exitCode}`}, wall ${s.wallSeconds.toFixed(3)} s, CPU ${n(t.cpuSeconds, 3, ' s')} (${t.source})`,
    `  processes spawned ${t.spawned}, peak RSS ${formatBytes(t.peakRssBytes)}`,
    `  I/O read ${formatBytes(t.readBytes)}, written ${formatBytes(t.writeBytes)}; page faults minor ${n(t.minorFaults)}, major ${n(t.majorFaults)}`,
  ];
  const sc = s.syscalls;
  if (sc) {
    if (sc.count !== null) lines.push(`  syscalls ${sc.count}${sc.errors !== null ? ` (${sc.errors} failed)` : ''}: ${Object.entries(sc.byCategory ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const c of sc.top) lines.push(`    ${c.name.padEnd(18)} ${String(c.count).padStart(9)}  errors ${c.errors ?? '-'}  avg ${c.avgUs === null ? '-' : `${c.avgUs} us`}`);
    if (sc.readWriteCalls) lines.push(`  read-class calls ${sc.readWriteCalls.read}, write-class calls ${sc.readWriteCalls.write} (the command and the descendants it waited for)`);
  }
  for (const [k, why] of Object.entries(t.unavailable)) lines.push(`  note: ${k}: ${why}`);
  for (const e of s.errors) lines.push(`  error: ${e.family}: ${e.code}: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

/** Human form of one sample. */
export function formatSample(s: RunSampleLine): string {
  return `[bpfscope ${(s.elapsedMs / 1000).toFixed(1)}s] procs ${s.alive}/${s.spawned} cpu ${n(s.cpuSeconds, 2, 's')} rss ${formatBytes(s.rssBytes)} syscalls ${s.syscalls?.count ?? '-'}\n`;
}
