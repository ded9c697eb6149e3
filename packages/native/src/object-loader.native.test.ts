// The object loader service: per-loader (per-engine) counts over the process-wide cache,
// shared programs attached once and detached by their last user, private objects for
// `shared: false`, the autoload set in the cache key.
import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { StepsChild } from '../../../test/steps.js';
import { fixture } from '../test/helpers.js';
import { clearCache, NativeObjectLoader } from './index.js';

afterEach(() => clearCache());

const SWITCH = fixture('switch_in.bpf.o');

/** The kernel's links to a program (bpftool). */
function linksTo(progId: number): number[] {
  const links = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8' })) as Array<{ id: number; prog_id: number }>;
  return links.filter((l) => l.prog_id === progId).map((l) => l.id);
}
const count = (h: { object: { map(n: string): { lookup(k: Uint8Array): Uint8Array | undefined } } }): bigint =>
  new DataView((h.object.map('si_count').lookup(new Uint8Array(4)) ?? new Uint8Array(8)).buffer).getBigUint64(0, true);

describeKernel('object loader', () => {
  it('two loaders (engines) share one object and one link; the link outlives the first user and goes with the last', async () => {
    const one = new NativeObjectLoader();
    const two = new NativeObjectLoader();
    const a = await one.load({ path: SWITCH });
    const b = await two.load({ path: SWITCH });
    expect([one.stats(), two.stats()]).toEqual([{ hits: 0, misses: 1, loaded: 1 }, { hits: 1, misses: 0, loaded: 1 }]);
    const [prog] = a.object.programStats();
    expect(b.object.programStats()[0]?.id).toBe(prog!.id);

    const since = a.attach('si_switch');
    expect(b.attach('si_switch')).toBe(since); // b took a reference on a's link
    const links = linksTo(prog!.id);
    expect(links).toHaveLength(1);

    a.close();
    expect(one.stats().loaded).toBe(0);
    expect(linksTo(prog!.id)).toEqual(links);
    // Still counting: a child's sleeps switch to it at least once each; a detached program would count none.
    const child = await StepsChild.start();
    try {
      const before = count(b);
      const k0 = child.counters();
      await child.run('sleep 20');
      const own = child.counters().switches - k0.switches;
      expect(own).toBeGreaterThan(0);
      expect(count(b) - before).toBeGreaterThanOrEqual(BigInt(own));
    } finally {
      await child.stop();
    }

    b.close();
    expect(linksTo(prog!.id)).toEqual([]);
    expect(two.stats()).toEqual({ hits: 1, misses: 0, loaded: 0 });
  });

  it('detach releases one handle\'s reference: the shared link goes with the last holder, and attach takes it again', async () => {
    const loader = new NativeObjectLoader();
    const a = await loader.load({ path: SWITCH });
    const b = await loader.load({ path: SWITCH });
    const own = await loader.load({ path: SWITCH, shared: false });
    try {
      const prog = a.object.programStats()[0]!.id;
      a.attach('si_switch');
      b.attach('si_switch');
      const links = linksTo(prog);
      expect(links).toHaveLength(1);
      a.detach('si_switch');
      expect(a.attachedPrograms()).toEqual([]);
      expect(linksTo(prog)).toEqual(links); // b still holds it
      expect(() => a.detach('si_switch')).toThrow(/a program this handle attached/);
      b.detach('si_switch');
      expect(linksTo(prog)).toEqual([]);
      a.attach('si_switch');
      expect(linksTo(prog)).toHaveLength(1);
      expect(a.detachedPrograms()).toEqual([]);
      const ownProg = own.object.programStats()[0]!.id;
      own.attach('si_switch');
      expect(linksTo(ownProg)).toHaveLength(1);
      own.detach('si_switch');
      expect(linksTo(ownProg)).toEqual([]);
    } finally {
      a.close();
      b.close();
      own.close();
    }
  });

  it('shared: false gives an object and links of its own; the autoload set is part of the cache key', async () => {
    const loader = new NativeObjectLoader();
    const shared = await loader.load({ path: SWITCH });
    const own = await loader.load({ path: SWITCH, shared: false });
    expect(own.object.programStats()[0]?.id).not.toBe(shared.object.programStats()[0]?.id);
    shared.attach('si_switch');
    own.attach('si_switch');
    const ownId = own.object.programStats()[0]!.id;
    expect(linksTo(ownId)).toHaveLength(1);
    own.close();
    expect(linksTo(ownId)).toEqual([]);
    expect(shared.attachedPrograms()).toEqual(['si_switch']);

    const iter = fixture('iter_task.bpf.o');
    const all = await loader.load({ path: iter });
    const none = await loader.load({ path: iter, autoloadOff: ['iter_task'] });
    const names = (h: typeof all): string[] => h.object.programStats().map((p) => p.name).sort();
    expect(names(all)).toContain('iter_task');
    expect(names(none)).toEqual(names(all).filter((n) => n !== 'iter_task'));
    expect(loader.stats()).toEqual({ hits: 0, misses: 4, loaded: 3 });
    for (const h of [shared, all, none]) h.close();
    expect(loader.stats().loaded).toBe(0);
  });
});
