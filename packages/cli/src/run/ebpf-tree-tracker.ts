import { readProcess, type ProcessTree } from '@bpfscope/plugin-proc';
import type { TreeFinal, TreeSample, TreeTracker } from './tree-tracker.js';

/**
 * Tree tracking from the proc family's fork/exec/exit events (eBPF): every process the
 * command starts is seen, and the exit events carry each process's final CPU time,
 * faults, I/O and peak RSS. The figures of processes still alive at a sample are read
 * from /proc (they are the live counters; exited ones come from the events).
 */
export class EbpfTreeTracker implements TreeTracker {
  #peakRss = 0;

  constructor(private readonly tree: ProcessTree, private readonly procRoot = '/proc') {}

  async sample(): Promise<TreeSample> {
    const s = this.tree.summary();
    const live = s.live.flatMap((n) => {
      const r = readProcess(this.procRoot, n.pid);
      return r.status === 'ok' ? [r.record] : [];
    });
    const rss = live.reduce((sum, p) => sum + p.rssBytes, 0);
    this.#peakRss = Math.max(this.#peakRss, rss);
    return {
      alive: s.live.length,
      spawned: s.spawned,
      cpuSeconds: round(s.totals.runtimeSeconds + live.reduce((sum, p) => sum + p.userSeconds + p.systemSeconds, 0)),
      rssBytes: rss,
      // Live processes' I/O includes what their reaped children did; exited top-level ones too.
      readBytes: s.totals.io.rchar + live.filter((p) => !live.some((q) => q.pid === p.ppid)).reduce((sum, p) => sum + (p.io?.rchar ?? 0), 0),
      writeBytes: s.totals.io.wchar + live.filter((p) => !live.some((q) => q.pid === p.ppid)).reduce((sum, p) => sum + (p.io?.wchar ?? 0), 0),
      minorFaults: s.totals.minorFaults + live.reduce((sum, p) => sum + p.minorFaults, 0),
      majorFaults: s.totals.majorFaults + live.reduce((sum, p) => sum + p.majorFaults, 0),
    };
  }

  async finish(): Promise<TreeFinal> {
    // Exit events of the last processes may still be on their way through the ring buffer.
    await new Promise((r) => setTimeout(r, 50));
    const s = this.tree.summary();
    const t = s.totals;
    const unavailable: Record<string, string> = {};
    if (s.live.length > 0) unavailable.alive = `${s.live.length} process(es) of the tree outlived the command (orphans); their figures are not in the totals`;
    if (t.withoutTotals > 0) unavailable.withoutTotals = `${t.withoutTotals} exited process(es) without exit totals`;
    if (s.lost.kernelDropped) unavailable.kernelDropped = `${s.lost.kernelDropped} process event(s) dropped by the kernel (ring buffer full)`;
    return {
      alive: s.live.length,
      spawned: s.spawned,
      cpuSeconds: round(t.runtimeSeconds),
      rssBytes: null,
      readBytes: t.io.rchar,
      writeBytes: t.io.wchar,
      minorFaults: t.minorFaults,
      majorFaults: t.majorFaults,
      peakRssBytes: Math.max(t.peakRssBytes, this.#peakRss),
      source: 'ebpf',
      unavailable,
    };
  }

  async close(): Promise<void> {
    await this.tree.close();
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
