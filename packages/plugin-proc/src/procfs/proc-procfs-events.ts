import { createEventStream, DataUnavailable, EventProcessingFailed, type EventStream, type SourceEventOptions } from '@bpfscope/core';
import type { ExitEvent, ForkEvent, ProcessEvent } from '../tree/events.js';
import { presentEvent, procEventSelection } from '../tree/event-filter.js';
import type { SnapshotEntry } from '../tree/feed.js';
import { statEntry } from './stat-entry.js';
import { readContext } from './read-process.js';
import { listPids, readBootTime } from './scan-processes.js';

const NOT_OBSERVED = 'the procfs source only sees that the process is gone from /proc (or a zombie); exit status and totals need the eBPF source';

/**
 * The proc family's events from the procfs source: /proc/&lt;pid&gt;/stat of every process
 * scanned every `pollIntervalMs` and compared with the previous scan. A new PID (or a PID
 * with a new start time) is a `fork` (`time`: its start time); a PID gone, or turned
 * zombie, is an `exit` (`time`: when the scan noticed it) without exit status or totals,
 * which say why. What it cannot see: exec (never given), a process that starts and
 * ends between two scans, and a parent that ended before its child was scanned (the
 * fork then names the reaper that adopted the child). Every event says `source: 'procfs'`.
 * The scan timer does not keep Node alive (like the eBPF ring consumer). `onScan` is told
 * when the timer starts (with its interval) and returns what to call when it stops.
 * @throws {@link @bpfscope/core!ConfigError} for an unknown or bad option
 * @internal
 */
export function procfsEventStream(procRoot: string, options: SourceEventOptions, onScan?: (intervalMs: number) => () => void): EventStream<ProcessEvent> {
  const { signal, queue, ...rest } = options;
  const sel = procEventSelection(rest);
  return createEventStream<ProcessEvent>({
    family: 'proc',
    queue,
    signal,
    start: async (push, fail) => {
      const boot = readBootTime(procRoot);
      const { userHz, pageSize } = readContext(procRoot, {});
      const units = { userHz, pageSize };
      let known = await scan(procRoot, new Map(), boot.bootTime, units);
      if (sel.initial) {
        const time = Date.now();
        for (const p of sel.admit([...known.values()])) push(presentEvent(p, time, boot.reason));
      }
      let scanning = false;
      let stopped = false;
      const rescan = async (): Promise<void> => {
        if (scanning || stopped) return;
        scanning = true;
        try {
          const now = await scan(procRoot, known, boot.bootTime, units);
          if (stopped) return;
          for (const e of diff(known, now, Date.now())) if (sel.keep(e)) push(e);
          known = now;
        } catch (e) {
          fail(e instanceof DataUnavailable || e instanceof EventProcessingFailed ? e : new EventProcessingFailed(`procfs re-scan failed: ${String(e)}`, { cause: e }));
        } finally {
          scanning = false;
        }
      };
      const timer = setInterval(() => void rescan(), sel.pollIntervalMs);
      timer.unref();
      const unregister = onScan?.(sel.pollIntervalMs);
      return {
        stop: () => {
          stopped = true;
          clearInterval(timer);
          unregister?.();
        },
        kernelDropped: () => null,
      };
    },
  });
}

/** Exits (gone, or turned zombie) first, then forks in order of start time: parents before children. */
function diff(known: ReadonlyMap<number, SnapshotEntry>, now: ReadonlyMap<number, SnapshotEntry>, time: number): ProcessEvent[] {
  const out: ProcessEvent[] = [];
  const base = { cgroupId: null, observed: 'procfs-scan' as const, source: 'procfs' as const };
  for (const [pid, old] of known) {
    const cur = now.get(pid);
    const same = cur !== undefined && cur.startTime === old.startTime;
    if (same && (!cur.zombie || old.zombie)) continue;
    if (old.zombie && !same) continue; // its exit was given when it turned zombie
    const exit: ExitEvent = {
      type: 'exit', pid, ppid: (same && cur !== undefined ? cur : old).ppid, comm: old.comm, time, ...base,
      exitCode: null, exitStatus: null, signal: null, totals: null, totalsUnavailable: NOT_OBSERVED,
    };
    out.push(exit);
  }
  const born = [...now.values()].filter((e) => {
    const k = known.get(e.pid);
    return k === undefined || k.startTime !== e.startTime;
  });
  born.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || a.pid - b.pid);
  for (const e of born) {
    const fork: ForkEvent = { type: 'fork', pid: e.pid, ppid: e.ppid, comm: e.comm, time: e.startTime ?? time, ...base };
    out.push(fork);
    if (e.zombie) out.push({ type: 'exit', pid: e.pid, ppid: e.ppid, comm: e.comm, time, ...base, exitCode: null, exitStatus: null, signal: null, totals: null, totalsUnavailable: NOT_OBSERVED });
  }
  return out;
}

/**
 * Every process's stat, yielding to the event loop every 128 PIDs. A process whose stat
 * is malformed keeps its previous entry (a scan that cannot read it does not invent an
 * exit); a new one is left out until it can be read.
 */
async function scan(procRoot: string, previous: ReadonlyMap<number, SnapshotEntry>, bootTime: number | null, units: { userHz: number; pageSize: number }): Promise<Map<number, SnapshotEntry>> {
  const out = new Map<number, SnapshotEntry>();
  const pids = listPids(procRoot);
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % 128 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const pid = pids[i]!;
    try {
      const entry = statEntry(procRoot, pid, { bootTime, ...units });
      if (entry !== null) out.set(pid, entry); // null: exited since the listing
    } catch (e) {
      if (!(e instanceof EventProcessingFailed)) throw e;
      const old = previous.get(pid);
      if (old !== undefined) out.set(pid, old);
    }
  }
  return out;
}
