import type { CollectorStats } from './collector-stats.js';
import { DETACH_CHECK_MS } from './family-events.js';
import type { PluginSet } from './plugin-set.js';

/** One piece of work the engine runs between reads, as `engine.stats().running` lists it. */
export interface RunningWork {
  /** The family it belongs to, or null for the engine's own (a `stream()` loop). */
  readonly family: string | null;
  /** What runs, in words, e.g. `2 event streams open (proc-ebpf): ring buffer polled on the event loop`. */
  readonly what: string;
}

/**
 * What runs between reads: the engine's open `stream()` loops (a timer each, between
 * readings), each family's open event streams and what its selected source says it runs
 * for them ({@link Source.activity}). Empty for an idle engine: then nothing runs.
 * @internal
 */
export function listRunning(snapshotStreams: number, plugins: PluginSet, collectors: readonly CollectorStats[]): RunningWork[] {
  const out: RunningWork[] = [];
  if (snapshotStreams > 0) out.push({ family: null, what: `${snapshotStreams} stream() loop${snapshotStreams === 1 ? '' : 's'}: a timer between readings` });
  for (const c of collectors) {
    const rt = plugins.runtime(c.family);
    const open = c.events.open;
    if (open > 0) {
      const by = rt?.selected ? ` (${rt.selected.name})` : '';
      const watched = rt?.selected?.detached ? `; a timer every ${DETACH_CHECK_MS / 1000} s per stream checks that its programs are still attached` : '';
      out.push({ family: c.family, what: `${open} event stream${open === 1 ? '' : 's'} open${by}: delivered as the source gives them${watched}` });
    }
    for (const what of rt?.selected?.activity?.() ?? []) out.push({ family: c.family, what });
  }
  return out;
}
