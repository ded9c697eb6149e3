// The resident set size of both sources against VmRSS: the exact figure (the mm's
// shared count plus the per-CPU parts not yet folded into it), not stat's approximate
// shared count alone, which was 4-17% low.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, machineConstants, validateConfig, type Source, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../test/kernel-helpers.js';
import { ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
import { ProcProcfsSource } from './procfs/proc-procfs-source.js';
import type { ProcMetrics } from './records.js';
import { checkSelection } from './selection.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const read = { signal: new AbortController().signal };
const SLEEPERS = 12;

/** VmRSS of /proc/<pid>/status, bytes. */
function vmRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!m) throw new Error(`pid ${pid} has no VmRSS line`);
  return Number(m[1]) * 1024;
}

/** Resolves once the child runs `sleep` and sleeps (its memory no longer changes). */
async function asleep(c: ChildProcess): Promise<void> {
  await spawned(c);
  while (!/^\d+ \(sleep\) S /.test(readFileSync(`/proc/${c.pid}/stat`, 'latin1'))) await new Promise((r) => setTimeout(r, 20));
}

describeKernel('proc: rssBytes is the exact resident set, as VmRSS', () => {
  const children: ChildProcess[] = [];
  const page = machineConstants().pageSize.value;

  beforeAll(async () => {
    for (let i = 0; i < SLEEPERS; i++) children.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
    await Promise.all(children.map(asleep));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
  });

  const cases: [string, (pids: number[]) => Source<ProcMetrics>][] = [
    ['ebpf', (pids) => new ProcEbpfSource(checkSelection({ pids }))],
    ['procfs', (pids) => new ProcProcfsSource(checkSelection({ pids }))],
  ];
  for (const [mode, make] of cases) {
    it(`${mode}: each idle process's rssBytes equals the VmRSS read right after, within one page`, async () => {
      if (page === null) throw new Error(`the page size is unknown: ${machineConstants().pageSize.reason}`);
      const pids = children.map((c) => c.pid!);
      const source = make(pids);
      await source.init(context);
      try {
        const m = await source.read(read);
        const after = new Map(pids.map((pid) => [pid, vmRss(pid)]));
        expect(m.processes.map((p) => p.pid).sort((a, b) => a - b)).toEqual([...pids].sort((a, b) => a - b));
        for (const p of m.processes) {
          const want = after.get(p.pid)!;
          expect(want).toBeGreaterThan(0);
          expect(Math.abs(p.rssBytes - want), `pid ${p.pid}: rssBytes ${p.rssBytes}, VmRSS ${want}`).toBeLessThanOrEqual(page);
        }
      } finally {
        await source.close?.();
      }
    });
  }
});
