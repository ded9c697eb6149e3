import { readdirSync, readFileSync } from 'node:fs';
import { readProcess, type ProcessRecord } from '@bpfscope/plugin-proc';
import type { TreeFinal, TreeSample, TreeTracker } from './tree-tracker.js';

const USER_HZ = 100;

/**
 * Tree tracking from procfs: every sample scans /proc for the descendants of the
 * parent. Processes that start and end between two samples are never seen, so counts
 * of spawned processes are lower bounds and the I/O and faults of exited processes are
 * missing; the final CPU time is exact for every descendant that was reaped, from the
 * parent's own cutime + cstime.
 */
export class ProcfsTreeTracker implements TreeTracker {
  readonly #seen = new Set<number>();
  #peakRss = 0;
  readonly #cpuAtStart: number;

  constructor(private readonly parent: number, private readonly procRoot = '/proc') {
    this.#cpuAtStart = childrenCpuSeconds(procRoot, parent);
  }

  async sample(): Promise<TreeSample> {
    const live = this.#descendants();
    for (const p of live) this.#seen.add(p.pid);
    const rss = live.reduce((s, p) => s + p.rssBytes, 0);
    this.#peakRss = Math.max(this.#peakRss, rss);
    const sum = (f: (p: ProcessRecord) => number | null): number | null => (live.some((p) => f(p) === null) ? null : live.reduce((s, p) => s + (f(p) ?? 0), 0));
    return {
      alive: live.length,
      spawned: this.#seen.size,
      cpuSeconds: live.reduce((s, p) => s + p.userSeconds + p.systemSeconds, 0),
      rssBytes: rss,
      readBytes: sum((p) => p.io?.rchar ?? null),
      writeBytes: sum((p) => p.io?.wchar ?? null),
      minorFaults: live.reduce((s, p) => s + p.minorFaults, 0),
      majorFaults: live.reduce((s, p) => s + p.majorFaults, 0),
    };
  }

  async finish(): Promise<TreeFinal> {
    return {
      alive: 0,
      spawned: this.#seen.size,
      cpuSeconds: Math.round((childrenCpuSeconds(this.procRoot, this.parent) - this.#cpuAtStart) * 100) / 100,
      rssBytes: null,
      readBytes: null,
      writeBytes: null,
      minorFaults: null,
      majorFaults: null,
      peakRssBytes: this.#peakRss,
      source: 'procfs',
      unavailable: {
        spawned: 'procfs sees only processes alive at a sample: the count is a lower bound (the eBPF source sees every fork)',
        io: 'procfs loses the I/O counters of a process when it exits; totals need the eBPF source (exit events)',
        pageFaults: 'procfs loses the fault counters of a process when it exits; totals need the eBPF source',
        peakRss: 'peak of the tree at the samples taken, not between them',
      },
    };
  }

  async close(): Promise<void> {}

  #descendants(): ProcessRecord[] {
    const children = new Map<number, number[]>();
    for (const name of readdirSync(this.procRoot)) {
      if (!/^\d+$/.test(name)) continue;
      const ppid = readPpid(this.procRoot, Number(name));
      if (ppid === null) continue;
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    }
    const out: ProcessRecord[] = [];
    const stack = [...(children.get(this.parent) ?? [])];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      const r = readProcess(this.procRoot, pid);
      if (r.status === 'ok') out.push(r.record);
      stack.push(...(children.get(pid) ?? []));
    }
    return out;
  }
}

function readPpid(root: string, pid: number): number | null {
  try {
    const s = readFileSync(`${root}/${pid}/stat`, 'latin1');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ', 3)[1]);
  } catch {
    return null; // exited meanwhile
  }
}

/** cutime + cstime of `pid`: CPU time of its reaped descendants, seconds. */
function childrenCpuSeconds(root: string, pid: number): number {
  const s = readFileSync(`${root}/${pid}/stat`, 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / USER_HZ;
}
