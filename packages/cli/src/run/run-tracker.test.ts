import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Snapshot } from '@bpfscope/core';
import { proc, watchProcessTree, type ProcessRecord, type ProcessTree } from '@bpfscope/plugin-proc';
import { RunTracker } from './run-tracker.js';

const logger = createConsoleLogger('silent');
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** The tree and engine `bpfscope run --mode fallback` uses: proc events from scans of /proc. */
async function procfsTracker(): Promise<{ tracker: RunTracker; read: () => Promise<Snapshot> }> {
  const engine = createEngine({ plugins: [proc()], config: { mode: 'fallback', cache: { enabled: false } }, logger });
  cleanup.push(() => engine.close());
  const tree = await watchProcessTree({ engine, rootParent: process.pid, rescanIntervalMs: 20 });
  cleanup.push(() => tree.close());
  return { tracker: new RunTracker(tree), read: () => engine.collect() };
}

describe('RunTracker with the procfs source', () => {
  it('a command no sample saw alive: spawned counts the command, peak RSS is not measured and says why', async () => {
    const { tracker, read } = await procfsTracker();
    const child = spawn('true');
    await once(child, 'exit');
    const f = await tracker.finish(await read());
    expect(f.source).toBe('procfs');
    expect(f.spawned).toBe(1);
    expect(f.peakRssBytes).toBeNull();
    expect(f.unavailable.peakRss).toMatch(/^not measured: the command ended before a sample saw it alive/);
  });

  it('a command a sample saw alive: peak RSS is the RSS that sample read', async () => {
    const { tracker, read } = await procfsTracker();
    const child = spawn('sleep', ['30']);
    try {
      await once(child, 'spawn');
      // Sample until the tree shows the child alive, then stop it. A reading of a small
      // /proc never leaves the microtask queue: let the scan timer run between two.
      const next = async () => (await new Promise((r) => setTimeout(r, 10)), tracker.sample(await read()));
      let sample = await next();
      while (sample.alive === 0) sample = await next();
      const rss = sample.rssBytes;
      child.kill('SIGKILL');
      await once(child, 'exit');
      const f = await tracker.finish(await read());
      expect(f.spawned).toBe(1);
      expect(rss).toBeGreaterThan(0);
      expect(f.peakRssBytes).toBe(rss);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// An eBPF tree's samples, with the exited processes' sums of a tree stand-in and the live
// processes' records of a proc reading stand-in: pid 1812 is a child of 1, 1 is top-level.
function ebpfTree(live: number[]): ProcessTree {
  const totals = { processes: 3, withoutTotals: 0, runtimeSeconds: 2, userSeconds: 0, systemSeconds: 0, minorFaults: 10, majorFaults: 1, peakRssBytes: 0, io: { rchar: 1000, wchar: 2000, readBytes: 0, writeBytes: 0 } };
  const nodes = live.map((pid) => ({ pid }));
  return { source: 'ebpf', live: () => nodes, summary: () => ({ source: 'ebpf', rootParent: 1, spawned: 5, live: nodes, exited: [], totals, lost: { kernelDropped: 0, evicted: 0, eventsDroppedByReaders: 0, feedDropped: 0 } }) } as unknown as ProcessTree;
}

function reading(records: Array<Partial<ProcessRecord>>): Snapshot {
  const processes = records.map((r) => ({ state: 'S', rssBytes: 4096, userSeconds: 0.25, systemSeconds: 0.25, minorFaults: 3, majorFaults: 0, ...r }));
  return { get: (f: string) => (f === 'proc' ? { data: { processes } } : undefined), errors: [] } as unknown as Snapshot;
}

const io = (rchar: number, wchar: number) => ({ rchar, wchar, syscr: 0, syscw: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 });

describe('RunTracker samples with the eBPF source', () => {
  it('add the live processes to the exited ones: CPU and faults of all, I/O of the top-level ones only', () => {
    const s = new RunTracker(ebpfTree([1, 1812])).sample(reading([{ pid: 1, ppid: 0, io: io(5, 6) }, { pid: 1812, ppid: 1, io: io(95191756, 7) }]));
    expect(s).toMatchObject({ alive: 2, spawned: 5, cpuSeconds: 3, rssBytes: 8192, readBytes: 1005, writeBytes: 2006, minorFaults: 16, majorFaults: 1, readCalls: null });
  });

  it('give no I/O sum when a live process has unreadable counters, instead of counting it as zero', () => {
    const s = new RunTracker(ebpfTree([1, 1812])).sample(reading([{ pid: 1, ppid: 0, io: null }, { pid: 1812, ppid: 77, io: io(1, 1) }]));
    expect(s.readBytes).toBeNull();
    expect(s.writeBytes).toBeNull();
  });
});
