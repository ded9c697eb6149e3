import { ConfigError } from '@bpfscope/core';
import type { LiveProcessEventType, PresentEvent, ProcessEvent } from './events.js';
import type { SnapshotEntry } from './feed.js';

/** Options of `engine.events('proc', ...)` beyond the signal and queue; both sources take them. */
export interface ProcEventOptions {
  /**
   * Only this process and its descendants: the process itself, then every process whose
   * fork this stream saw from a member. With `initial`, the descendants alive when the
   * stream started are members too (from the first state); without it, descendants forked
   * before the stream was ready are not followed. Applied before the queue, so drops
   * count only matching events.
   */
  tree?: number;
  /** Only these kinds of live events. @default all: fork, exec, exit */
  types?: readonly LiveProcessEventType[];
  /**
   * First yield a {@link PresentEvent} for every process alive now that matches `tree`
   * (read from the kernel's task iterator, or from /proc with the procfs source), then
   * live events. The stream's `ready` settles once all of them are in its queue, ahead of
   * any live event; they count against `queue` like any event.
   * @default false
   */
  initial?: boolean;
  /**
   * procfs source only: ms between two scans of /proc. A process that starts and ends
   * between two scans is never seen; a parent that ends before its child is scanned hands
   * the child to its reaper first (the fork event then names the reaper). The eBPF source
   * sees every event and ignores this option.
   * @default 1000
   */
  pollIntervalMs?: number;
}

declare module '@bpfscope/core' {
  interface FamilyEvents {
    proc: ProcessEvent;
  }
  interface FamilyEventOptions {
    proc: ProcEventOptions;
  }
}

const KEYS = ['tree', 'types', 'initial', 'pollIntervalMs'];
const LIVE: readonly LiveProcessEventType[] = ['fork', 'exec', 'exit'];

/** The checked options of one proc event stream, and its filter. @internal */
export interface ProcEventSelection {
  readonly initial: boolean;
  readonly pollIntervalMs: number;
  /** Keep a live event (and follow the tree's membership through it). */
  keep(e: ProcessEvent): boolean;
  /** The entries of a first state the stream yields as present events; with `tree`, they become members. */
  admit(entries: readonly SnapshotEntry[]): SnapshotEntry[];
}

/**
 * Check a proc stream's options and build its filter.
 * @throws {@link ConfigError} naming `events.<option>` for an unknown or bad option
 * @internal
 */
export function procEventSelection(options: Readonly<Record<string, unknown>>): ProcEventSelection {
  for (const key of Object.keys(options)) if (!KEYS.includes(key)) throw new ConfigError(`events.${key}`, options[key], `no such option of proc events (${KEYS.join(', ')})`);
  const { tree, types, initial, pollIntervalMs } = options as ProcEventOptions;
  if (tree !== undefined && (!Number.isInteger(tree) || tree < 1)) throw new ConfigError('events.tree', tree, 'a process ID (an integer ≥ 1)');
  if (types !== undefined && (!Array.isArray(types) || types.length === 0 || types.some((t) => !LIVE.includes(t)))) {
    throw new ConfigError('events.types', types, `a non-empty list of ${LIVE.join(', ')} (present events come with the initial option)`);
  }
  if (initial !== undefined && typeof initial !== 'boolean') throw new ConfigError('events.initial', initial, 'true or false');
  if (pollIntervalMs !== undefined && (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 10 || pollIntervalMs > 3_600_000)) {
    throw new ConfigError('events.pollIntervalMs', pollIntervalMs, 'an integer from 10 to 3600000 (ms)');
  }
  const wanted = new Set<string>(types ?? LIVE);
  const members = tree === undefined ? null : new Set([tree]);
  return {
    initial: initial ?? false,
    pollIntervalMs: pollIntervalMs ?? 1000,
    keep(e) {
      if (members !== null) {
        if (e.type === 'fork') {
          if (!members.has(e.ppid)) return false;
          members.add(e.pid);
        } else if (!members.has(e.pid)) return false;
        // A pid that ended may be reused by an unrelated process.
        else if (e.type === 'exit') members.delete(e.pid);
      }
      return wanted.has(e.type);
    },
    admit(entries) {
      if (members === null || tree === undefined) return [...entries];
      const byParent = new Map<number, SnapshotEntry[]>();
      for (const e of entries) {
        const list = byParent.get(e.ppid);
        if (list === undefined) byParent.set(e.ppid, [e]);
        else list.push(e);
      }
      const out = entries.filter((e) => e.pid === tree);
      const stack = [tree];
      while (stack.length > 0) {
        for (const c of byParent.get(stack.pop()!) ?? []) {
          if (c.pid === tree || members.has(c.pid)) continue;
          members.add(c.pid);
          out.push(c);
          stack.push(c.pid);
        }
      }
      return out;
    },
  };
}

/**
 * The present event of a first-state entry.
 * @param time - when the state was read, ms since the epoch
 * @param startTimeUnavailable - why start times are null (boot time unknown), if they are
 * @internal
 */
export function presentEvent(e: SnapshotEntry, time: number, startTimeUnavailable: string | null): PresentEvent {
  const source = e.source ?? 'ebpf';
  return {
    type: 'present',
    pid: e.pid,
    ppid: e.ppid,
    comm: e.comm,
    time,
    cgroupId: e.cgroupId ?? null,
    observed: source === 'ebpf' ? 'ebpf' : 'procfs-scan',
    source,
    startTime: e.startTime,
    ...(e.startTime === null && startTimeUnavailable !== null ? { startTimeUnavailable } : {}),
    zombie: e.zombie,
  };
}
