// engine.setFilter on the proc family. The eBPF source pushes the list parts down into the
// task iterator (filter maps, no reload: program ids unchanged); procfs pushes nothing, so
// there every part applies in user space. Thresholds are user space in both.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createEngine, type Engine, type FamilyMode } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { proc } from './plugin.js';
import type { ProcMetrics } from './records.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';

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
    it('pid, comm and cgroup filters go to the kernel (eBPF) or user space (procfs), memory to user space, with hits and misses', async () => {
      const ebpf = kind === 'ebpf';
      const where = (part: string) => (ebpf ? { pushedDown: [part], inUserSpace: [] } : { pushedDown: [], inUserSpace: [part] });
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

        const programIds = (): number[] => (engine.stats().collectors.find((c) => c.family === 'proc')?.sourceStats?.programs ?? []).map((p) => p.id);
        const ids = programIds();

        expect(await engine.setFilter('proc', { comms: ['sleep'] })).toEqual(where('comms'));
        expect(await pids(engine, kind)).toEqual([sleeper.pid]);
        // In the kernel the other processes never reach user space: nothing to count there.
        if (ebpf) expect(filterStats(engine)).toMatchObject({ source: 'proc-ebpf', userSpace: { hits: 0, misses: 0 } });
        else expect(filterStats(engine)).toMatchObject({ source: null, kernel: null, userSpace: { hits: 1, misses: 2 } });

        expect(await engine.setFilter('proc', { excludePids: [process.pid] })).toEqual(where('excludePids'));
        expect(await pids(engine, kind)).toEqual([sleeper.pid!, reader.pid!].sort((a, b) => a - b));

        const id = statSync(group, { bigint: true }).ino;
        expect(await engine.setFilter('proc', { cgroupIds: [id] })).toEqual(where('cgroupIds'));
        expect(await pids(engine, kind)).toEqual([reader.pid]);
        // cat is the only task of its cgroup: one kernel hit for the one reading.
        if (ebpf) expect(filterStats(engine).kernel?.hits).toBe(1);
        else expect(filterStats(engine).userSpace).toEqual({ hits: 1, misses: 2 });
        // Filters changed three times, no program reloaded.
        expect(programIds()).toEqual(ids);

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
        removeCgroupDir(group);
      }
    });
  });
}
