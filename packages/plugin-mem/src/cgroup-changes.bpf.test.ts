// The eBPF source walks the cgroup hierarchy again only when the kernel counted a cgroup
// made, removed or renamed (tp_btf/cgroup_*) since its last walk. Readings with nothing
// changed in between reuse the walk (counted in the source's `cgroupWalksReused`) and
// give the same cgroups; a cgroup this test makes is in the next reading, with its limit,
// and gone from the one after its removal. Changes made elsewhere on the machine can only
// add walks: each step that needs "nothing changed" checks the change programs' run counts
// around it and tries again when something else changed a cgroup meanwhile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { removeCgroupDir } from '../../../test/cgroup-dir.js';
import { mem } from './plugin.js';
import type { CgroupMemory } from './records.js';

const MiB = 1024 * 1024;
const CG = ['mem_cg_mkdir', 'mem_cg_rmdir', 'mem_cg_rename', 'mem_cg_setup_root', 'mem_cg_destroy_root', 'mem_cg_remount'];

function sourceStats(engine: Engine): { walks: number; reused: number; changes: number } {
  const s = engine.stats().collectors.find((c) => c.family === 'mem')?.sourceStats;
  const changes = CG.reduce((n, p) => n + (s?.programs.find((x) => x.program === p)?.runs ?? Number.NaN), 0);
  return { walks: s?.counters.cgroupWalks ?? Number.NaN, reused: s?.counters.cgroupWalksReused ?? Number.NaN, changes };
}

async function cgroups(engine: Engine): Promise<CgroupMemory> {
  const snap = await engine.collect();
  const m = snap.get('mem')?.data;
  expect(m?.errors.cgroups).toBeUndefined();
  expect(m?.unavailable.cgroups).toBeUndefined();
  return m!.cgroups!;
}

describeKernel('mem family, eBPF: the cgroup hierarchy walked again only after a cgroup change', () => {
  it('unchanged: the walk is reused and the cgroups are equal; a cgroup made is in the next reading with its limit, and gone after its removal', async () => {
    const engine = createEngine({ plugins: [mem({ processes: false })], config: { mode: 'ebpf', programStats: true, cache: { enabled: false }, logLevel: 'silent' } });
    let dir: string | null = null;
    try {
      await engine.start();
      // Three readings, the second well after the first: whichever of the first two walked,
      // the third reuses it, unless a cgroup changed somewhere during the attempt.
      let reusedOnce = false;
      for (let attempt = 0; attempt < 20 && !reusedOnce; attempt++) {
        const before = sourceStats(engine);
        await cgroups(engine);
        await sleep(100); // longer than the 50 ms a walk must begin after the last change
        const second = await cgroups(engine);
        const mid = sourceStats(engine);
        const third = await cgroups(engine);
        const after = sourceStats(engine);
        if (after.changes !== before.changes) continue;
        expect(after.reused - mid.reused).toBe(1);
        expect(third).toEqual(second);
        reusedOnce = true;
      }
      expect(reusedOnce).toBe(true);

      const root = (await cgroups(engine)).root;
      const limitFile = root.endsWith('/memory') ? 'memory.limit_in_bytes' : 'memory.max';
      dir = join(root, `bpfscope-cgchanges-${process.pid}`);
      const before = sourceStats(engine);
      mkdirSync(dir);
      writeFileSync(join(dir, limitFile), String(64 * MiB));
      const made = await cgroups(engine);
      const afterMade = sourceStats(engine);
      expect(afterMade.walks - before.walks).toBe(1);
      expect(made.entries.filter((e) => e.path === dir!.slice(root.length)).map((e) => e.limitBytes)).toEqual([64 * MiB]);

      removeCgroupDir(dir);
      const gone = await cgroups(engine);
      expect(sourceStats(engine).walks - afterMade.walks).toBe(1);
      expect(gone.entries.map((e) => e.path)).not.toContain(dir.slice(root.length));
      dir = null;
    } finally {
      if (dir !== null) removeCgroupDir(dir);
      await engine.close();
    }
  });
});
