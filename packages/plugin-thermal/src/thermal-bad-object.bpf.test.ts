// The thermal object missing or foreign: the eBPF source fails with LoadFailed naming the
// file (or the struct it lacks), leaves nothing loaded, and mode auto falls back to sysfs.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createEngine, LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { sysRootOf } from '../test/fixture-trees.js';
import { thermal } from './plugin.js';

const sysRoot = sysRootOf('intel-thinkpad-t480');
/** Programs of these names that this process holds, per the kernel (bpftool lists the holders of each program). */
const heldHere = (names: readonly string[]): string[] =>
  (JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8' })) as { name?: string; pids?: { pid: number }[] }[])
    .filter((p) => names.includes(p.name ?? '') && (p.pids ?? []).some((h) => h.pid === process.pid))
    .map((p) => p.name ?? '');

describeKernel('thermal with a bad eBPF object', () => {
  it('a missing object: LoadFailed naming the path, and the sysfs source in mode auto', async () => {
    const path = '/nonexistent/thermal.bpf.o';
    const engine = createEngine({ plugins: [thermal({ objectPath: path })], config: { mode: 'auto', sysRoot, logLevel: 'silent', operationTimeoutMs: 60_000 } });
    try {
      const r = (await engine.collect()).get('thermal');
      expect(r?.source).toBe('sysfs');
      expect(r?.fallback).toBeInstanceOf(LoadFailed);
      expect(r?.fallback).toMatchObject({ code: 'LOAD_FAILED', object: path, errno: 2 });
    } finally {
      await engine.close();
    }
  });

  it('a foreign object (the mem family\'s): LoadFailed naming the missing struct, nothing of it left loaded', async () => {
    const path = fileURLToPath(new URL('../../plugin-mem/bpf/mem.bpf.o', import.meta.url));
    const memPrograms = ['mem_iter', 'mem_oom_victim', 'mem_cg_mkdir', 'mem_cg_rmdir', 'mem_cg_rename', 'mem_cg_setup_root', 'mem_cg_destroy_root', 'mem_cg_remount'];
    expect(heldHere(memPrograms)).toEqual([]);
    const engine = createEngine({ plugins: [thermal({ objectPath: path })], config: { mode: 'auto', sysRoot, logLevel: 'silent', operationTimeoutMs: 60_000 } });
    try {
      const r = (await engine.collect()).get('thermal');
      expect(r?.source).toBe('sysfs');
      expect(r?.fallback).toBeInstanceOf(LoadFailed);
      expect(r?.fallback?.message).toMatch(/thermal_zone_agg/);
      // What the source loaded before the layouts were found wrong is closed (by the source,
      // and by the engine, which closes a source it rejects); this test file is the only
      // user of the object in this process, so any holder would be that source.
      expect(heldHere(memPrograms)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
