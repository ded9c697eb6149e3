import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import type { OomVictim } from '../records-oom.js';
import { OomStream } from './oom-stream.js';

const victim = (pid: number): OomVictim => ({
  pid, comm: 'x', uid: 0, oomScoreAdj: 0, timestamp: 0, monotonicMs: 0, cgroupId: 1, cgroupV2Path: '/', memoryCgroupId: 1, memoryCgroup: null,
  totalVmBytes: null, anonRssBytes: null, fileRssBytes: null, shmemRssBytes: null, unavailable: {},
});

describe('OomStream', () => {
  it('every reader gets every victim, in order, whether it waits or reads later', async () => {
    const s = new OomStream();
    const a = s.subscribe();
    const b = s.subscribe();
    const first = a.next();
    s.push(victim(1));
    s.push(victim(2));
    expect((await first).value?.pid).toBe(1);
    expect((await a.next()).value?.pid).toBe(2);
    expect([(await b.next()).value?.pid, (await b.next()).value?.pid]).toEqual([1, 2]);
  });

  it('abort and return() end a reader; end() ends all; a reader that is behind drops (counted)', async () => {
    const s = new OomStream();
    const ac = new AbortController();
    const a = s.subscribe({ signal: ac.signal });
    const pending = a.next();
    ac.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    const b = s.subscribe({ maxQueued: 1 });
    s.push(victim(1));
    s.push(victim(2));
    expect(s.dropped).toBe(1);
    const c = s.subscribe();
    s.push(victim(3));
    expect(s.dropped).toBe(2);
    for await (const v of c) if (v.pid === 3) break; // break calls return()
    expect(s.readers).toBe(1);
    s.end();
    expect((await b.next()).value?.pid).toBe(1);
    expect((await b.next()).done).toBe(true);
    expect(s.readers).toBe(0);
  });

  it('bad options → ConfigError', () => {
    expect(() => new OomStream().subscribe({ maxQueued: 0 })).toThrow(ConfigError);
  });
});
