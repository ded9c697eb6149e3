// descendantsOf where no kernel applies it: the procfs source has no pushdown, so the engine
// matches process rows on their ancestors, read from procfs.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { syscall } from './plugin.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('descendantsOf in user space (procfs source)', () => {
  it('keeps the rows of the root’s descendants only', async () => {
    const child = spawn('sleep', ['30']);
    // A shell with a sleep below it: the shell is a child, its sleep a grandchild.
    const shell = spawn('sh', ['-c', 'sleep 30; exit 0']);
    const engine = createEngine({ plugins: [syscall({ topProcesses: 1_000_000, includeSelf: true })], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
    try {
      const all = (await engine.collect()).get('syscall')!.data.processes.map((p) => p.pid);
      expect(all).toContain(1);
      expect(await engine.setFilter('syscall', { descendantsOf: [process.pid] })).toEqual({ pushedDown: [], inUserSpace: ['descendantsOf'] });
      const kept = (await engine.collect()).get('syscall')!.data.processes.map((p) => p.pid);
      expect(kept).toContain(process.pid);
      expect(kept).toContain(child.pid);
      expect(kept).toContain(shell.pid);
      expect(kept).not.toContain(1);
      expect(kept).not.toContain(process.ppid);
    } finally {
      await engine.close();
      child.kill();
      shell.kill();
    }
  });
});
