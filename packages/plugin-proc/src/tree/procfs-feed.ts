import { DataUnavailable, EventProcessingFailed, readProcFile } from '@bpfscope/core';
import { parsePidStat } from '../procfs/parse-pid-stat.js';
import { listPids, readBootTime } from '../procfs/scan-processes.js';
import { readContext } from '../procfs/read-process.js';
import type { ExitEvent, ForkEvent } from './events.js';
import type { FeedSink, FeedStats, ProcessFeed, SnapshotEntry } from './feed.js';

const NOT_OBSERVED = 'the procfs fallback only sees that the process is gone from /proc; exit status and totals need the eBPF source';

/**
 * Process events inferred by comparing scans of /proc/&lt;pid&gt;/stat: a new PID (or a
 * PID with a new start time) is a fork, a PID gone is an exit. It cannot see exec, exit
 * status or exit totals, and a process that lives less than one interval is never seen:
 * fallback trees miss short-lived processes.
 * @internal
 */
export class ProcfsProcessFeed implements ProcessFeed {
  readonly kind = 'procfs' as const;
  #timer: NodeJS.Timeout | null = null;
  #known = new Map<number, SnapshotEntry>();
  #received = 0;
  #scanning = false;
  #closed = false;

  constructor(
    private readonly procRoot: string,
    private readonly intervalMs: number,
  ) {}

  async start(sink: FeedSink): Promise<void> {
    const first = await this.#scan();
    for (const e of first) this.#known.set(e.pid, e);
    sink.snapshot(first);
    this.#timer = setInterval(() => void this.#rescan(sink), this.intervalMs);
  }

  async #rescan(sink: FeedSink): Promise<void> {
    if (this.#scanning || this.#closed) return;
    this.#scanning = true;
    try {
      const now = await this.#scan();
      if (this.#closed) return;
      const time = Date.now();
      const seen = new Map(now.map((e) => [e.pid, e]));
      for (const [pid, old] of this.#known) {
        const cur = seen.get(pid);
        if (cur !== undefined && cur.startTime === old.startTime) continue;
        const exit: ExitEvent = {
          type: 'exit', pid, ppid: old.ppid, comm: old.comm, time, cgroupId: null, observed: 'procfs-scan',
          exitCode: null, exitStatus: null, signal: null, totals: null, totalsUnavailable: NOT_OBSERVED,
        };
        this.#received++;
        sink.event(exit);
      }
      // Parents before children: in order of start time.
      const born = now.filter((e) => {
        const k = this.#known.get(e.pid);
        return k === undefined || k.startTime !== e.startTime;
      });
      born.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || a.pid - b.pid);
      for (const e of born) {
        const fork: ForkEvent = { type: 'fork', pid: e.pid, ppid: e.ppid, comm: e.comm, time: e.startTime ?? time, cgroupId: null, observed: 'procfs-scan' };
        this.#received++;
        sink.event(fork);
      }
      this.#known = seen;
    } catch (e) {
      sink.error(e instanceof DataUnavailable || e instanceof EventProcessingFailed ? e : new EventProcessingFailed(`procfs re-scan failed: ${String(e)}`, { cause: e }));
    } finally {
      this.#scanning = false;
    }
  }

  /** Every process's stat, yielding to the event loop every 128 PIDs. */
  async #scan(): Promise<SnapshotEntry[]> {
    const boot = readBootTime(this.procRoot).bootTime;
    const { userHz, pageSize } = readContext(this.procRoot, {});
    const out: SnapshotEntry[] = [];
    const pids = listPids(this.procRoot);
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % 128 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const rel = `${pids[i]}/stat`;
      let text: string;
      try {
        text = readProcFile(this.procRoot, rel);
      } catch (e) {
        if (e instanceof DataUnavailable) continue; // exited since the listing
        throw e;
      }
      const s = parsePidStat(text, `${this.procRoot}/${rel}`, { bootTime: boot, userHz, pageSize });
      out.push({ pid: s.pid, ppid: s.ppid, comm: s.comm, startTime: s.startTime === null ? null : Math.round(s.startTime * 1000), zombie: s.state === 'Z' || s.state === 'X' });
    }
    return out;
  }

  stats(): FeedStats {
    return { kernelDropped: undefined, received: this.#received, filledFromProcfs: 0, queueDropped: 0 };
  }

  unref(): void {
    this.#timer?.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
