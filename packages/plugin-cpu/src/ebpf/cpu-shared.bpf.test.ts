// Program cache across engines: a second engine with the cpu plugin loads no
// object and attaches nothing again, and closing the first engine leaves the
// shared programs attached and counting for the second.
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { createConsoleLogger, createEngine, type Engine } from '@bpfscope/core';
import { objectCache } from '@bpfscope/native';
import { describeKernel } from '../../../../test/real-kernel.js';
import { StepsChild } from '../../../../test/steps.js';
import { cpu } from '../plugin.js';
import type { CpuMetrics } from '../records.js';
import { CPU_OBJECT_PATH } from './cpu-ebpf-source.js';

const logger = createConsoleLogger('silent');
const engine = (): Engine => createEngine({ plugins: [cpu()], config: { families: { cpu: { mode: 'ebpf' } }, cache: { enabled: false } }, logger });

/** Ids of the cached cpu object's programs, through a handle of the test's own on the same object. */
async function programIds(): Promise<number[]> {
  const h = await objectCache.load(CPU_OBJECT_PATH, { name: CPU_OBJECT_PATH });
  try {
    return h.programStats().map((p) => p.id).sort((a, b) => a - b);
  } finally {
    h.close();
  }
}

/** The kernel's links to those programs (bpftool), as `link id:program id`. */
function linksTo(progIds: number[]): string[] {
  const links = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8' })) as Array<{ id: number; prog_id: number }>;
  return links.filter((l) => progIds.includes(l.prog_id)).map((l) => `${l.id}:${l.prog_id}`).sort();
}

describeKernel('cpu program cache across engines', () => {
  const open: Engine[] = [];
  afterAll(async () => {
    for (const e of open) await e.close();
  });

  it('a second engine loads no object again; closing the first leaves the programs attached and counting', async () => {
    const first = engine();
    open.push(first);
    await first.start();
    expect(first.stats().programCache).toEqual({ hits: 0, misses: 1, loaded: 1 });
    const ids = await programIds();
    const links = linksTo(ids);
    expect(links).toHaveLength(ids.length); // one link per program

    const second = engine();
    open.push(second);
    await second.start();
    expect(second.stats().programCache).toEqual({ hits: 1, misses: 0, loaded: 1 });
    expect(await programIds()).toEqual(ids); // no new program loaded
    expect(linksTo(ids)).toEqual(links); // nothing attached twice (each switch is counted once)

    await first.close();
    expect(first.stats().programCache).toEqual({ hits: 0, misses: 1, loaded: 0 });
    expect(linksTo(ids)).toEqual(links); // still attached for the second engine

    // Still counting: the switches of a child pinned to one CPU, made between two readings of the
    // second engine, are in that CPU's count (a detached program would leave the count unchanged).
    const child = await StepsChild.start({ cpu: 0 });
    try {
      const before = (await second.collect()).get('cpu')?.data as CpuMetrics;
      const k0 = child.counters();
      await child.run('sleep 200');
      const k1 = child.counters();
      const after = (await second.collect()).get('cpu')?.data as CpuMetrics;
      const own = k1.switches - k0.switches;
      expect(own).toBeGreaterThan(0);
      const on0 = (m: CpuMetrics): number => m.perCpu.find((c) => c.cpu === 0)?.contextSwitches ?? NaN;
      expect(on0(after) - on0(before)).toBeGreaterThanOrEqual(own);
    } finally {
      await child.stop();
    }
    await second.close();
    expect(linksTo(ids)).toEqual([]); // the last user detached them
    expect(second.stats().programCache).toEqual({ hits: 1, misses: 0, loaded: 0 });
  });
});
