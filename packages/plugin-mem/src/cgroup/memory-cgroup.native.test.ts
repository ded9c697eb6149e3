// Real cgroups: a memory cgroup this test creates with a 32 MiB limit, and a process in it
// that allocates without bound (`tail /dev/zero` keeps one ever-growing line) until the
// kernel's OOM killer ends it: exactly one OOM kill.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProcfsReader } from '@bpfscope/core';
import { describeKernel } from '../../../../test/real-kernel.js';
import { parseMeminfo } from '../procfs/parse-meminfo.js';
import { parseVmstat } from '../procfs/parse-vmstat.js';
import { listMemoryCgroups } from './list-memory-cgroups.js';
import { readCgroupV1Memory } from './read-cgroup-v1.js';
import { readCgroupV2Memory } from './read-cgroup-v2.js';
import { removeCgroupDir } from '../../../../test/cgroup-dir.js';

const LIMIT = 32 * 1024 * 1024;
const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').includes('memory');
const name = `bpfscope-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const sysPath = v2 ? join('fs/cgroup', name) : join('fs/cgroup/memory', name);
const dir = join('/sys', sysPath);
const sys = createProcfsReader('/proc', '/sys');

describeKernel(`memory cgroup readers on a live ${v2 ? 'v2' : 'v1'} cgroup`, () => {
  let signal: NodeJS.Signals | null = null;

  beforeAll(async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(LIMIT));
    if (v2) writeFileSync(join(dir, 'memory.swap.max'), '0');
    const hog = spawn('/bin/sh', ['-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec tail /dev/zero`], { stdio: 'ignore' });
    [, signal] = (await once(hog, 'exit')) as [number | null, NodeJS.Signals | null];
  }, 60_000);
  afterAll(() => {
    removeCgroupDir(dir);
  });

  it('the allocator was OOM-killed (SIGKILL) and the cgroup counts exactly one OOM kill', () => {
    expect(signal).toBe('SIGKILL');
    if (v2) {
      const m = readCgroupV2Memory(sys, sysPath);
      expect(m.maxBytes).toBe(LIMIT);
      expect(m.events?.oomKill).toBe(1);
      expect(m.events?.max).toBeGreaterThan(0);
    } else {
      const m = readCgroupV1Memory(sys, sysPath);
      expect(m).toMatchObject({ limitBytes: LIMIT, maxUsageBytes: LIMIT, oomControl: { oomKillDisable: false, underOom: false, oomKill: 1 }, unavailable: {} });
      expect(m.failcnt).toBeGreaterThan(0);
    }
  });

  it('the walker lists the cgroup with its limit', () => {
    const list = listMemoryCgroups(sys);
    expect(list.hierarchy).toBe(v2 ? 'v2' : 'v1');
    expect(list.cgroups).toContainEqual({ path: `/${name}`, dir, sysPath, limitBytes: LIMIT, inode: statSync(dir).ino });
  });

  it('/proc/meminfo MemTotal equals what libuv reads (os.totalmem); /proc/vmstat parses with an oom_kill counter', () => {
    const m = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'), '/proc/meminfo');
    expect(m.memTotal).toBe(totalmem());
    expect(m.memAvailable).not.toBeNull();
    const v = parseVmstat(readFileSync('/proc/vmstat', 'utf8'), '/proc/vmstat');
    expect(v.oomKill).toBeGreaterThanOrEqual(1);
  });
});
