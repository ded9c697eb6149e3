import { readdirSync, readFileSync } from 'node:fs';
import { readProcess, type ProcessNode, type ProcessRecord, type ProcessTree } from '@bpfscope/plugin-proc';
import { processUnits } from './process-units.js';
import type { TreeFinal, TreeSample, TreeTracker } from './tree-tracker.js';

/**
 * Tree tracking from the proc family's fork/exec/exit events (eBPF): every process the
 * command starts is seen, and the exit events carry each process's final CPU time,
 * faults, I/O and peak RSS. The figures of processes still alive at a sample are read
 * from /proc (they are the live counters; exited ones come from the events).
 */
export class EbpfTreeTracker implements TreeTracker {
  #peakRss = 0;
  readonly #units: ReturnType<typeof processUnits>;

  constructor(private readonly tree: ProcessTree, private readonly procRoot = '/proc') {
    this.#units = processUnits(procRoot);
  }

  async sample(): Promise<TreeSample> {
    const s = this.tree.summary();
    const live = s.live.flatMap((n) => {
      const r = readProcess(this.procRoot, n.pid, this.#units.options ?? {});
      return r.status === 'ok' ? [r.record] : [];
    });
    // Without the measured page size and clock ticks, live CPU time and RSS are unknown.
    const known = this.#units.options !== null;
    const rss = known ? live.reduce((sum, p) => sum + p.rssBytes, 0) : null;
    if (rss !== null) this.#peakRss = Math.max(this.#peakRss, rss);
    // Live processes' I/O includes what their reaped children did: top-level ones only.
    // One whose counters cannot be read makes the sum unknown, not smaller.
    const top = live.filter((p) => !live.some((q) => q.pid === p.ppid));
    const io = (f: (p: NonNullable<ProcessRecord['io']>) => number): number | null =>
      top.some((p) => p.io === null) ? null : top.reduce((sum, p) => sum + f(p.io!), 0);
    const liveRead = io((p) => p.rchar);
    const liveWrite = io((p) => p.wchar);
    return {
      alive: s.live.length,
      spawned: s.spawned,
      cpuSeconds: known ? round(s.totals.runtimeSeconds + live.reduce((sum, p) => sum + p.userSeconds + p.systemSeconds, 0)) : null,
      rssBytes: rss,
      readBytes: liveRead === null ? null : s.totals.io.rchar + liveRead,
      writeBytes: liveWrite === null ? null : s.totals.io.wchar + liveWrite,
      readCalls: null,
      writeCalls: null,
      minorFaults: s.totals.minorFaults + live.reduce((sum, p) => sum + p.minorFaults, 0),
      majorFaults: s.totals.majorFaults + live.reduce((sum, p) => sum + p.majorFaults, 0),
    };
  }

  /**
   * Waits, with no timer, for the exit event of every process of the tree that has
   * ended: a process that /proc shows gone or dead has passed the kernel's exit hook,
   * so its event is in the ring buffer (or was counted as dropped, and then it is not
   * waited for). What is still running is an orphan that outlived the command.
   */
  async finish(): Promise<TreeFinal> {
    await Promise.all(this.tree.summary().live.filter((n) => this.#ended(n)).map((n) => this.#exitEvent(n)));
    const s = this.tree.summary();
    const t = s.totals;
    const unavailable: Record<string, string> = {
      readWriteCalls: 'the eBPF tree does not count read-class and write-class calls; the syscall family counts every call by name',
    };
    if (this.#units.reason !== null) unavailable.liveUnits = `live processes' CPU time and RSS at samples are not given: ${this.#units.reason}`;
    if (s.live.length > 0) unavailable.alive = `${s.live.length} process(es) of the tree outlived the command (orphans: ${s.live.slice(0, 5).map((n) => `${n.comm}[${n.pid}]`).join(', ')}); their figures are not in the totals`;
    if (t.withoutTotals > 0) unavailable.withoutTotals = `${t.withoutTotals} exited process(es) without exit totals`;
    if (s.lost.kernelDropped) unavailable.kernelDropped = `${s.lost.kernelDropped} process event(s) dropped by the kernel (ring buffer full)`;
    return {
      alive: s.live.length,
      spawned: s.spawned,
      cpuSeconds: round(t.runtimeSeconds),
      rssBytes: null,
      readBytes: t.io.rchar,
      writeBytes: t.io.wchar,
      readCalls: null,
      writeCalls: null,
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

  async #exitEvent(n: ProcessNode): Promise<void> {
    // A dropped event never comes: the process is then reported without totals.
    if (this.tree.summary().lost.kernelDropped) return;
    await this.tree.waitForExit(n.pid);
  }

  /** The process has passed do_exit's hook: gone, or a zombie with no thread left running. */
  #ended(n: ProcessNode): boolean {
    let stat: string;
    try {
      stat = readFileSync(`${this.procRoot}/${n.pid}/stat`, 'latin1');
    } catch {
      return true;
    }
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') return false;
    try {
      return readdirSync(`${this.procRoot}/${n.pid}/task`).length <= 1;
    } catch {
      return true;
    }
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
