// When MemReader reuses its last cgroup walk: only with a change count (the eBPF source's)
// that has not moved since the walk, and a walk begun at least 50 ms after the last change
// (cgroup_mkdir fires just before the new directory is visible). Reused or not, a reading
// gives the same cgroups. The walks are counted through the reader's listSys calls.
import { describe, expect, it } from 'vitest';
import { createProcfsReader, systemClock, type ProcfsReader } from '@bpfscope/core';
import { fixture } from '../../test/fixture-helpers.js';
import { resolveMemOptions } from '../options.js';
import { MemReader, type CgroupChanges } from './mem-reader.js';

function reader(changes: (() => CgroupChanges | null) | null): { r: MemReader; lists: () => number } {
  const plain = createProcfsReader(fixture('cgroup-v1/proc'), fixture('cgroup-v1/sys'));
  let lists = 0;
  const counting: ProcfsReader = Object.assign(Object.create(plain) as ProcfsReader, { listSys: (rel: string) => (lists++, plain.listSys(rel)) });
  const r = new MemReader(counting, systemClock, resolveMemOptions({ processes: false }, '/nonexistent.bpf.o'), changes);
  r.start();
  return { r, lists: () => lists };
}

const NONE = { rows: null, error: null } as const;

describe('MemReader: the cgroup walk reused while nothing changed', () => {
  it('a count that did not move and a change long before the walk: the walk is reused, the cgroups equal', () => {
    const { r, lists } = reader(() => ({ count: 3, lastNs: 0n }));
    const first = r.read(NONE).cgroups;
    const walked = lists();
    expect(walked).toBeGreaterThan(0);
    const second = r.read(NONE).cgroups;
    expect(lists()).toBe(walked);
    expect(second).toEqual(first);
    expect(first?.entries.map((e) => [e.path, e.limitBytes])).toEqual([['/bpfscope-fixture', 104857600]]);
    expect(r.stats()).toMatchObject({ cgroupWalks: 1, cgroupWalksReused: 1 });
  });

  it('a count that moved walks again; so does one that did not when the last change came less than 50 ms before the walk began', () => {
    let c: CgroupChanges = { count: 1, lastNs: 0n };
    const { r } = reader(() => c);
    r.read(NONE);
    c = { count: 2, lastNs: 0n };
    r.read(NONE);
    expect(r.stats()).toMatchObject({ cgroupWalks: 2, cgroupWalksReused: 0 });
    // A change just now: the walk it causes begins within 50 ms of it, so the next reading walks too.
    c = { count: 3, lastNs: process.hrtime.bigint() };
    r.read(NONE);
    r.read(NONE);
    expect(r.stats()).toMatchObject({ cgroupWalks: 4, cgroupWalksReused: 0 });
    // Pretend the change was 60 ms before the last walk: now it is reused.
    c = { count: 3, lastNs: c.lastNs - 60_000_000n };
    r.read(NONE);
    expect(r.stats()).toMatchObject({ cgroupWalks: 4, cgroupWalksReused: 1 });
  });

  it('without a count (the procfs source, or a count that could not be read) every reading walks', () => {
    for (const changes of [null, () => null]) {
      const { r, lists } = reader(changes);
      r.read(NONE);
      const one = lists();
      r.read(NONE);
      expect(lists()).toBe(2 * one);
      expect(r.stats()).toMatchObject({ cgroupWalks: 2, cgroupWalksReused: 0 });
    }
  });
});
