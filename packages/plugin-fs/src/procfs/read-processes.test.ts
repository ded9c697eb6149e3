import { DataUnavailable, type ProcfsReader } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { readProcesses } from './read-processes.js';

const io = (rchar: number): string => `rchar: ${rchar}\nwchar: 0\nsyscr: 1\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n`;

/** A /proc of processes 10, 20, 30 and 40 (most bytes last), whose comms are read once each and counted; `gone` has exited by its comm read. */
function fakeProc(gone: number): { procfs: ProcfsReader; commReads: number[] } {
  const commReads: number[] = [];
  const procfs = {
    procRoot: '/proc',
    listProc: () => [10, 20, 30, 40].map((pid) => ({ name: String(pid), directory: true })),
    readProc(rel: string): string {
      const [pid, file] = rel.split('/');
      if (file === 'io') return io(Number(pid) * 100);
      commReads.push(Number(pid));
      if (Number(pid) === gone) throw new DataUnavailable(`/proc/${rel}`, 'no such file', { details: { code: 'ENOENT' } });
      return `p${pid}\n`;
    },
  } as unknown as ProcfsReader;
  return { procfs, commReads };
}

describe('readProcesses', () => {
  it('reads the comm of the listed processes only, and one gone before its comm read makes room for the next', () => {
    const { procfs, commReads } = fakeProc(30);
    const r = readProcesses(procfs, { minBytes: 0, topK: 2 });
    expect(r.processes.map((p) => [p.pid, p.comm, p.bytesRead])).toEqual([[40, 'p40', 4000], [20, 'p20', 2000]]);
    expect(commReads).toEqual([40, 30, 20]);
    expect(r.unreadable).toBe(0);
  });

  it('reads every comm before the cut when the filter judges comm', () => {
    const { procfs, commReads } = fakeProc(0);
    const r = readProcesses(procfs, { minBytes: 0, topK: 1 }, (p) => p.comm !== 'p40', true);
    expect(r.processes.map((p) => p.pid)).toEqual([30]);
    expect(commReads.sort((a, b) => a - b)).toEqual([10, 20, 30, 40]);
  });
});
