import type { Snapshot } from '@bpfscope/core';
import type { ProcessNode, ProcessTree } from '@bpfscope/plugin-proc';
import type { RunSampleLine, RunSummaryLine } from '../run/run-report.js';

/** One process of the command's tree, as the report lists it. @internal */
export interface ReportProcess {
  pid: number;
  ppid: number;
  /** Depth below the command (0: the command itself, or a process whose parent is not in the tree). */
  depth: number;
  /** Command name (untrusted: the traced program chooses it). */
  comm: string;
  /** Start, ms since the epoch; null when unknown. */
  startTime: number | null;
  /** Exit, ms since the epoch; null while alive or when the exit was not observed. */
  endTime: number | null;
  /** Exit status (0-255) when it called exit; null otherwise. */
  exitStatus: number | null;
  /** The signal that ended it; null otherwise. */
  signal: number | null;
  /** True once it has exited. */
  exited: boolean;
  /** Its CPU time at exit, seconds (eBPF exit totals); null when not observed. */
  cpuSeconds: number | null;
  /** Its peak resident set, bytes (eBPF exit totals); null when not observed. */
  peakRssBytes: number | null;
}

/** A family the run used: where its data came from, or why it gave none. @internal */
export interface ReportFamily {
  family: string;
  /** `ebpf`, `procfs`, ...; null when the family gave no reading. */
  source: string | null;
  /** Why the preferred source was rejected (the family fell back); null when it did not. */
  fallback: string | null;
  /** Why the family gave no reading; null when it did. */
  error: string | null;
}

/** What the report keeps of each sample (a run of hours keeps thousands). @internal */
export type ReportSample = Pick<RunSampleLine, 'elapsedMs' | 'alive' | 'cpuSeconds' | 'rssBytes'>;

/** Everything `bpfscope run --report` renders. @internal */
export interface RunReportData {
  /** The traced command and its arguments (untrusted). */
  command: string[];
  /** When the command was started, ms since the epoch. */
  startedAt: number;
  /** The sample interval, ms. */
  intervalMs: number;
  /** Every sample of the run, in order: the same samples `--json --out` writes. */
  samples: ReportSample[];
  /** The summary; null when the command could not start. */
  summary: RunSummaryLine | null;
  /** Why the command could not start; null when it started. */
  startError: string | null;
  /** The tree's processes, depth first (the command first). */
  processes: ReportProcess[];
  /** What the process list leaves out (evicted or lost processes); null when nothing. */
  processesNote: string | null;
  /** The families the run used. */
  families: ReportFamily[];
}

/**
 * The report of a run: what the run kept, with the tree's processes and each family's source.
 * @param run - the command, its samples and summary
 * @param tree - the command's tree (rootParent: this process)
 * @param snap - the run's last reading
 * @param families - the families the run used
 */
export function reportData(
  run: Pick<RunReportData, 'command' | 'startedAt' | 'intervalMs' | 'samples' | 'summary' | 'startError'>,
  tree: ProcessTree,
  snap: Snapshot,
  families: readonly string[],
): RunReportData {
  return { ...run, processes: reportProcesses(tree), processesNote: processesNote(tree), families: reportFamilies(snap, families) };
}

/**
 * The processes of a run's tree, depth first from the command, with their exit figures.
 * @param tree - the command's tree (rootParent: this process)
 */
function reportProcesses(tree: ProcessTree): ReportProcess[] {
  const root = tree.rootParent;
  const nodes = root === null ? [] : tree.descendants(root);
  const depth = new Map<number, number>();
  return nodes.map((n) => {
    const d = depth.has(n.ppid) ? depth.get(n.ppid)! + 1 : 0;
    depth.set(n.pid, d);
    return toReportProcess(n, d);
  });
}

function toReportProcess(n: ProcessNode, depth: number): ReportProcess {
  const e = n.exit;
  return {
    pid: n.pid,
    ppid: n.ppid,
    depth,
    comm: n.comm,
    startTime: n.startTime,
    endTime: e?.source === 'ebpf' ? e.time : null,
    exitStatus: e?.exitStatus ?? null,
    signal: e?.signal ?? null,
    exited: n.exited,
    cpuSeconds: e?.totals?.runtimeSeconds ?? null,
    peakRssBytes: e?.totals?.peakRssBytes ?? null,
  };
}

/**
 * What the process list may leave out, from the tree's losses.
 * @param tree - the command's tree
 */
function processesNote(tree: ProcessTree): string | null {
  const lost = tree.summary().lost;
  const notes: string[] = [];
  if (lost.evicted > 0) notes.push(`${lost.evicted} exited process(es) evicted from the tree past its cap (their figures stay in the totals)`);
  if (lost.kernelDropped) notes.push(`${lost.kernelDropped} process event(s) dropped by the kernel (ring buffer full)`);
  if (lost.feedDropped > 0) notes.push(`${lost.feedDropped} process event(s) lost by the tree's feed`);
  if (tree.source === 'procfs') notes.push('the procfs source sees only processes alive at one of its scans of /proc, and no exit status or exit figures');
  return notes.length === 0 ? null : notes.join('; ');
}

/**
 * Each family's source in a reading, or why it gave none.
 * @param snap - the run's last reading
 * @param families - the families the run used
 */
function reportFamilies(snap: Snapshot, families: readonly string[]): ReportFamily[] {
  return families.map((family) => {
    const r = snap.get(family);
    const failed = snap.errors.find((e) => e.family === family);
    return {
      family,
      source: r?.source ?? null,
      fallback: r?.fallback ? `${r.fallback.code}: ${r.fallback.message}` : null,
      error: r !== undefined ? null : failed ? `${failed.error.code}: ${failed.error.message}` : 'the family gave no reading',
    };
  });
}
