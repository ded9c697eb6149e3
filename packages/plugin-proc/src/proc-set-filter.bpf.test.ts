// engine.setFilter on the proc family: nothing is pushed down (the task iterator walks
// every task), so every part applies in user space to the process records and says so.
// Both sources: the eBPF task iterator (real kernel) and procfs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyMode } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { proc } from './plugin.js';
import type { ProcMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

async function pids(engine: Engine, kind: string): Promise<number[]> {
  const r = (await engine.collect()).get('proc');
  expect(r?.source).toBe(kind);
  return (r!.data as ProcMetrics).processes.map((p) => p.pid).sort((a, b) => a - b);
}

function filterStats(engine: Engine) {
  return engine.stats().collectors.find((c) => c.family === 'proc')!.filter!;
}

for (const [mode, kind] of [['ebpf', 'ebpf'], ['fallback', 'procfs']] as const satisfies ReadonlyArray<readonly [FamilyMode, string]>) {
  describeKernel(`engine.setFilter on the proc family (${kind} source)`, () => {
    it('pid, comm, cgroup and memory filters apply in user space, with their hits and misses', async () => {
      const sleeper: ChildProcess = spawn('sleep', ['60'], { stdio: 'ignore' });
      const reader: ChildProcess = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
      const group = `/sys/fs/cgroup/unified/bpfscope-proc-filter-${process.pid}-${kind}`;
      mkdirSync(group);
      writeFileSync(join(group, 'cgroup.procs'), String(reader.pid));
      const engine = createEngine({
        // The table holds the two children and this process only (the `pids` option, pushed down by both readers).
        plugins: [proc({ pids: [process.pid, sleeper.pid!, reader.pid!] })],
        config: { mode, cache: { enabled: false } },
        logger: silent,
      });
      try {
        const all = [process.pid, sleeper.pid!, reader.pid!].sort((a, b) => a - b);
        expect(await pids(engine, kind)).toEqual(all);

        expect(await engine.setFilter('proc', { comms: ['sleep'] })).toEqual({ pushedDown: [], inUserSpace: ['comms'] });
        expect(await pids(engine, kind)).toEqual([sleeper.pid]);
        expect(filterStats(engine)).toMatchObject({ source: null, kernel: null, userSpace: { hits: 1, misses: 2 } });

        expect(await engine.setFilter('proc', { excludePids: [process.pid] })).toEqual({ pushedDown: [], inUserSpace: ['excludePids'] });
        expect(await pids(engine, kind)).toEqual([sleeper.pid!, reader.pid!].sort((a, b) => a - b));

        const id = statSync(group, { bigint: true }).ino;
        expect(await engine.setFilter('proc', { cgroupIds: [id] })).toEqual({ pushedDown: [], inUserSpace: ['cgroupIds'] });
        expect(await pids(engine, kind)).toEqual([reader.pid]);
        expect(filterStats(engine).userSpace).toEqual({ hits: 1, misses: 2 });

        // This Node process holds tens of MB resident; sleep and cat about 1 MB.
        expect(await engine.setFilter('proc', { minMemoryBytes: 16 * 1024 * 1024 })).toEqual({ pushedDown: [], inUserSpace: ['minMemoryBytes'] });
        expect(await pids(engine, kind)).toEqual([process.pid]);

        await engine.setFilter('proc', null);
        expect(await pids(engine, kind)).toEqual(all);
        expect(engine.stats().collectors.find((c) => c.family === 'proc')!.filter).toBeNull();
      } finally {
        await engine.close();
        sleeper.kill();
        reader.kill();
        await Promise.all([sleeper, reader].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
        rmdirSync(group);
      }
    });
  });
}
