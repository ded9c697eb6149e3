import type { FamilyResult } from '@bpfscope/core';
import type { ProcessRecord, ProcMetrics } from '@bpfscope/plugin-proc';
import { num, table } from '../commands/table.js';
import { formatBytes } from '../units.js';
import { fitWidth, type Pane } from './frame.js';

/** What the process list is sorted by. @internal */
export type TopSort = 'cpu' | 'mem' | 'pid' | 'io' | 'syscalls';

/** The sort keys, in the order `--sort` lists them. @internal */
export const TOP_SORTS: readonly TopSort[] = ['cpu', 'mem', 'pid', 'io', 'syscalls'];

/** One process as the pane lists it. @internal */
export interface TopProcess {
  record: ProcessRecord;
  /** Bytes read + written per second over the last interval, or null. */
  ioPerSecond: number | null;
  /** System calls per second over the last interval, or null (no syscall family, or no previous reading). */
  callsPerSecond: number | null;
}

/** The measure a sort ranks by, largest first (pid: smallest first); null ranks last. */
function measure(p: TopProcess, by: TopSort): number | null {
  switch (by) {
    case 'cpu':
      return p.record.cpuPercent;
    case 'mem':
      return p.record.rssBytes;
    case 'pid':
      return -p.record.pid;
    case 'io':
      return p.ioPerSecond;
    case 'syscalls':
      return p.callsPerSecond;
  }
}

/**
 * The processes in the order of `by`: largest first, those without a value for the
 * measure last, ties by pid. @internal
 */
export function sortProcesses(list: readonly TopProcess[], by: TopSort): TopProcess[] {
  return [...list].sort((a, b) => {
    const x = measure(a, by);
    const y = measure(b, by);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    }
    return a.record.pid - b.record.pid;
  });
}

// Kernel threads' names in /proc/<pid>/comm can be long (workqueue names): cut, marked with `~`.
const COMM_WIDTH = 16;

const COLUMNS: Record<TopSort, string> = { pid: 'pid', cpu: 'cpu%', mem: 'rss', io: 'io/s', syscalls: 'calls/s' };

/**
 * The process pane: every process of the table, sorted by `by` (its column marked with
 * `*`), as many as the height allows. @internal
 */
export function procPane(r: FamilyResult<ProcMetrics>, list: readonly TopProcess[], by: TopSort, hasSyscalls: boolean): Pane {
  const d = r.data;
  const header = ['pid', 'uid', 'comm', 'S', 'cpu%', 'rss', 'io/s', ...(hasSyscalls ? ['calls/s'] : []), 'thr'].map((h) => (h === COLUMNS[by] ? `${h}*` : h));
  const rows = sortProcesses(list, by).map((p) => {
    const x = p.record;
    return [
      String(x.pid), String(x.uid), fitWidth(x.comm, COMM_WIDTH), x.state, num(x.cpuPercent, 1), formatBytes(x.rssBytes),
      p.ioPerSecond === null ? '-' : formatBytes(Math.round(p.ioPerSecond)),
      ...(hasSyscalls ? [p.callsPerSecond === null ? '-' : String(Math.round(p.callsPerSecond))] : []),
      String(x.threads),
    ];
  });
  const [head, ...lines] = table(header, rows, new Set([0, 1, 2, 3])).split('\n');
  const window = d.intervalMs === null ? 'rates from the second reading' : `rates over ${Math.round(d.intervalMs)} ms`;
  const tail = d.unavailable.io ? [`io/s unavailable: ${d.unavailable.io}`] : [];
  return { title: 'processes', subtitle: `${r.source}, ${d.total} processes, sorted by ${by}, ${window}`, head: [head!], rows: lines, tail };
}
