// When MemReader reuses its last cgroup walk: only with a change count (the eBPF source's)
// that has not moved since the walk, a walk begun at least 50 ms after the last change
// (cgroup_mkdir fires just before the new directory is visible), and less than 30 s ago.
// Reused or not, a reading gives the same cgroups. The counter's clock is the test's.
import { describe, expect, it } from 'vitest';
import { createProcfsReader, systemClock, type ProcfsReader } from '@bpfscope/core';
import { fixture } from '../../test/fixture-helpers.js';
import { resolveMemOptions } from '../options.js';
import { MemReader, type CgroupChangeCounter, type CgroupChanges } from './mem-reader.js';

const ms = (n: number): bigint => BigInt(n) * 1_000_000n;

/** A counter that gives what `now()` says, on a clock the test moves (`clock.ns`). */
function counter(now: () => CgroupChanges | null, clock: { ns: bigint }): CgroupChangeCounter {
  return { read: now, nowNs: () => clock.ns };
}

function reader(changes: CgroupChangeCounter | null): { r: MemReader; lists: () => number } {
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
    const clock = { ns: ms(10_000) };
    const { r, lists } = reader(counter(() => ({ count: 3, lastNs: 0n }), clock));
    const first = r.read(NONE).cgroups;
    const walked = lists();
    expect(walked).toBeGreaterThan(0);
    clock.ns += ms(1000);
    const second = r.read(NONE).cgroups;
    expect(lists()).toBe(walked);
    expect(second).toEqual(first);
    expect(first?.entries.map((e) => [e.path, e.limitBytes])).toEqual([['/bpfscope-fixture', 104857600]]);
    expect(r.stats()).toMatchObject({ cgroupWalks: 1, cgroupWalksReused: 1 });
  });

  it('a count that moved walks again; so does one that did not when the last change came less than 50 ms before the walk began, or the walk is 30 s old', () => {
    const clock = { ns: ms(10_000) };
    let c: CgroupChanges = { count: 1, lastNs: 0n };
    const { r } = reader(counter(() => c, clock));
    /** Readings `afterMs` apart on the counter's clock; the walks and reuses so far. */
    const readAfter = (...afterMs: number[]): Record<string, number> => {
      for (const a of afterMs) {
        clock.ns += ms(a);
        r.read(NONE);
      }
      const { cgroupWalks, cgroupWalksReused } = r.stats();
      return { cgroupWalks: cgroupWalks!, cgroupWalksReused: cgroupWalksReused! };
    };
    readAfter(0);
    c = { count: 2, lastNs: 0n };
    expect(readAfter(1000)).toEqual({ cgroupWalks: 2, cgroupWalksReused: 0 });
    // A change 49 ms before the walk it causes: the next reading walks too.
    c = { count: 3, lastNs: clock.ns + ms(1000) - ms(49) };
    expect(readAfter(1000, 1000)).toEqual({ cgroupWalks: 4, cgroupWalksReused: 0 });
    // That walk began 1049 ms after the change: reused, until it is 30 s old.
    expect(readAfter(28_999)).toEqual({ cgroupWalks: 4, cgroupWalksReused: 1 });
    expect(readAfter(1001)).toEqual({ cgroupWalks: 5, cgroupWalksReused: 1 });
    // A change exactly 50 ms before the walk: reused.
    c = { count: 4, lastNs: clock.ns + ms(1000) - ms(50) };
    expect(readAfter(1000, 1000)).toEqual({ cgroupWalks: 6, cgroupWalksReused: 2 });
  });

  it('without a count (the procfs source, or a count that could not be read) every reading walks', () => {
    for (const changes of [null, counter(() => null, { ns: 0n })]) {
      const { r, lists } = reader(changes);
      r.read(NONE);
      const one = lists();
      r.read(NONE);
      expect(lists()).toBe(2 * one);
      expect(r.stats()).toMatchObject({ cgroupWalks: 2, cgroupWalksReused: 0 });
    }
  });
});
