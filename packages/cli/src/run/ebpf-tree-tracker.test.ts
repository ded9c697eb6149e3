import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProcessTree } from '@bpfscope/plugin-proc';
import { EbpfTreeTracker } from './ebpf-tree-tracker.js';

// A procfs tree captured from a VM (see plugin-proc's fixture README): pid 1 has no io
// file (unreadable), pid 1812 (bash) has one with rchar 95191756.
const PROC = fileURLToPath(new URL('../../../plugin-proc/test/fixtures/vm-6.18/proc', import.meta.url));

function tree(live: number[]): ProcessTree {
  const totals = { processes: 3, withoutTotals: 0, runtimeSeconds: 0, userSeconds: 0, systemSeconds: 0, minorFaults: 0, majorFaults: 0, peakRssBytes: 0, io: { rchar: 1000, wchar: 2000, readBytes: 0, writeBytes: 0 } };
  return { summary: () => ({ source: 'ebpf', rootParent: 1, spawned: 5, live: live.map((pid) => ({ pid })), exited: [], totals, lost: { kernelDropped: 0, evicted: 0, eventsDroppedByReaders: 0 } }) } as unknown as ProcessTree;
}

describe('EbpfTreeTracker samples', () => {
  it('add the I/O of the live top-level processes to the exited ones', async () => {
    const s = await new EbpfTreeTracker(tree([1812]), PROC).sample();
    expect(s.readBytes).toBe(1000 + 95191756);
  });

  it('give no I/O sum when a live process has unreadable counters, instead of counting it as zero', async () => {
    const s = await new EbpfTreeTracker(tree([1, 1812]), PROC).sample();
    expect(s.readBytes).toBeNull();
    expect(s.writeBytes).toBeNull();
  });
});
