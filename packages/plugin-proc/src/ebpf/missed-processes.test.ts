import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixture-helpers.js';
import { readContext } from '../procfs/read-process.js';
import { scanProcesses } from '../procfs/scan-processes.js';
import { fillMissed } from './missed-processes.js';

const root = fixture('vm-6.18/proc');
const all = scanProcesses(root).processes;
const ctx = readContext(root, { bootTime: null });

describe('fillMissed: processes /proc lists that the task iterator did not reach', () => {
  it('reads exactly the PIDs the table lacks from procfs, marked procfs', () => {
    const seen = all.filter((p) => p.pid !== 1 && p.pid !== 4369);
    const r = fillMissed(root, seen, ctx, null, null);
    expect(r.records.map((p) => [p.pid, p.source, p.comm])).toEqual([
      [1, 'procfs', all.find((p) => p.pid === 1)!.comm],
      [4369, 'procfs', all.find((p) => p.pid === 4369)!.comm],
    ]);
    expect(r.vanished).toBe(0);
  });

  it('nothing missed: nothing read', () => {
    expect(fillMissed(root, all, ctx, null, null)).toEqual({ records: [], vanished: 0 });
  });

  it('with a pid filter, only the missed PIDs it names', () => {
    const seen = all.filter((p) => p.pid !== 1 && p.pid !== 4369);
    expect(fillMissed(root, seen, ctx, new Set([4369]), null).records.map((p) => p.pid)).toEqual([4369]);
  });
});
