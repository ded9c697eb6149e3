import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProcfsReader, DataUnavailable, EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseOomControl, readCgroupV1Memory as readV1 } from './read-cgroup-v1.js';
import { readCgroupV2Memory as readV2 } from './read-cgroup-v2.js';

// The readers read through a procfs/sysfs reader, relative to its sysfs root: here one rooted at the cgroup's directory.
const readCgroupV1Memory = (dir: string) => readV1(createProcfsReader('/nonexistent-bpfscope-proc', dir), '');
const readCgroupV2Memory = (dir: string) => readV2(createProcfsReader('/nonexistent-bpfscope-proc', dir), '');

const V1 = fixture('cgroup-v1/sys/fs/cgroup/memory');
const V2 = fixture('cgroup-v2-derived/sys/fs/cgroup');

describe('readCgroupV1Memory (real v1 capture)', () => {
  it('the fixture cgroup after its two OOM kills', () => {
    expect(readCgroupV1Memory(join(V1, 'bpfscope-fixture'))).toEqual({
      dir: join(V1, 'bpfscope-fixture'), usageBytes: 233472, limitBytes: 104857600, maxUsageBytes: 104857600, failcnt: 79,
      oomControl: { oomKillDisable: false, underOom: false, oomKill: 2 }, unavailable: {},
    });
  });

  it('the same cgroup before the OOM, with the 60 MiB allocator in it', () => {
    expect(readCgroupV1Memory(fixture('cgroup-v1-before-oom/sys/fs/cgroup/memory/bpfscope-fixture'))).toMatchObject({
      usageBytes: 70504448, limitBytes: 104857600, maxUsageBytes: 70504448, failcnt: 0, oomControl: { oomKill: 0 },
    });
  });

  it('the root and an unlimited child: limit null', () => {
    expect(readCgroupV1Memory(V1)).toMatchObject({ usageBytes: 1018503168, limitBytes: null, failcnt: 0 });
    expect(readCgroupV1Memory(join(V1, 'bpfscope-fixture/child'))).toMatchObject({ usageBytes: 0, limitBytes: null });
  });

  it('a directory that is not a memory cgroup → DataUnavailable', () => {
    expect(caught(() => readCgroupV1Memory(V2))).toBeInstanceOf(DataUnavailable);
  });

  it('malformed/v1-usage-garbage → EventProcessingFailed', () => {
    expect(caught(() => readCgroupV1Memory(fixture('malformed/v1-usage-garbage/sys/fs/cgroup/memory/bpfscope-fixture')))).toBeInstanceOf(EventProcessingFailed);
  });

  it('parseOomControl: a kernel before 4.13 (no oom_kill), a bad flag, a missing line', () => {
    expect(parseOomControl('oom_kill_disable 1\nunder_oom 0\n', 'p')).toEqual({ oomKillDisable: true, underOom: false, oomKill: null });
    expect((caught(() => parseOomControl('oom_kill_disable 2\nunder_oom 0\n', 'p')) as Error).message).toBe('p line 1: oom_kill_disable is 2, 0 or 1 expected');
    expect((caught(() => parseOomControl('oom_kill_disable 0\n', 'p')) as Error).message).toBe('p line 2: no under_oom line (truncated file?)');
  });
});

describe('readCgroupV2Memory (v2 files derived from the v1 capture)', () => {
  it('the fixture cgroup', () => {
    expect(readCgroupV2Memory(join(V2, 'bpfscope-fixture'))).toEqual({
      dir: join(V2, 'bpfscope-fixture'), currentBytes: 233472, maxBytes: 104857600, swapCurrentBytes: 0,
      events: { low: 0, high: 0, max: 79, oom: 2, oomKill: 2, oomGroupKill: 0 },
      stat: {
        anon: 0, file: 0, kernel: null, kernelStack: null, shmem: 0, fileMapped: 0, fileDirty: 0, fileWriteback: 0, pgfault: 26416, pgmajfault: 2,
        other: { swapcached: 0, inactive_anon: 0, active_anon: 0, inactive_file: 0, active_file: 0, unevictable: 0, workingset_refault_anon: 0, workingset_refault_file: 14 },
      },
      unavailable: {},
    });
  });

  it('the child: memory.max "max" → no limit', () => {
    expect(readCgroupV2Memory(join(V2, 'bpfscope-fixture/child'))).toMatchObject({ currentBytes: 0, maxBytes: null, events: { oomKill: 0 } });
  });

  it('the v2 root has no memory.current → DataUnavailable naming it', () => {
    const e = caught(() => readCgroupV2Memory(V2));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect(e).toMatchObject({ details: { path: join(V2, 'memory.current'), code: 'ENOENT' } });
  });

  it('malformed/memory-max-garbage and malformed/memory-events-truncated → EventProcessingFailed naming the file', () => {
    const m = fixture('malformed/memory-max-garbage/sys/fs/cgroup/bpfscope-fixture');
    expect(caught(() => readCgroupV2Memory(m))).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: join(m, 'memory.max'), line: 1 } });
    const ev = fixture('malformed/memory-events-truncated/sys/fs/cgroup/bpfscope-fixture');
    const e = caught(() => readCgroupV2Memory(ev));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect((e as Error).message).toBe(`${join(ev, 'memory.events')} line 4: no oom line (truncated file?)`);
  });
});
