import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataUnavailable, EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { NO_RUNTIME, readProcess } from './read-process.js';
import { scanProcesses } from './scan-processes.js';

const proc = (tree: string): string => fixture(`${tree}/proc`);
const sys = (tree: string): string => fixture(`${tree}/sys`);
const BTIME = 1795453397;
const noLink = (pid: number, ns: string): string => `${join(proc('vm-6.18'), String(pid), 'ns', ns)} cannot be read (ENOENT)`;

describe('scanProcesses on the vm-6.18 capture', () => {
  const scan = scanProcesses(proc('vm-6.18'), { sysRoot: sys('vm-6.18') });
  const byPid = new Map(scan.processes.map((p) => [p.pid, p]));
  // The capture's v2 hierarchy is the hybrid one at sys/fs/cgroup/unified: every process is in its root.
  const unifiedIno = Number(statSync(join(sys('vm-6.18'), 'fs/cgroup/unified')).ino);

  it('reads every process, in PID order, with nothing vanished or broken', () => {
    expect(scan.processes.map((p) => p.pid)).toEqual([1, 2, 1812, 4367, 4368, 4369, 4370]);
    expect(scan.vanished).toBe(0);
    expect(scan.errors).toEqual([]);
    expect(scan.bootTime).toBe(BTIME);
    expect(scan.bootTimeUnavailable).toBeNull();
  });

  it('the weird-named process, field by field', () => {
    expect(byPid.get(4367)).toEqual({
      source: 'procfs', pid: 4367, ppid: 4361, comm: 'my (weird) proc', state: 'S', uid: 0, euid: 0, nice: 0, priority: 20, threads: 1,
      category: 'user', startSecondsSinceBoot: 1874.37, startTime: BTIME + 1874.37, userSeconds: 0, systemSeconds: 0, runtimeSeconds: null, cpuPercent: null,
      rssBytes: 1792 * 1024, vsizeBytes: 2990080, minorFaults: 141, majorFaults: 0, voluntaryCtxtSwitches: 1, nonvoluntaryCtxtSwitches: 0,
      ioReadBytes: 0, ioWriteBytes: 0,
      io: { rchar: 6976, wchar: 0, syscr: 10, syscw: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 },
      cgroupPath: '/', cgroupId: unifiedIno,
      cgroups: expect.arrayContaining([{ hierarchyId: 0, controllers: [], path: '/' }]),
      // The capture holds no ns links: the namespaces are unavailable, with the reason.
      container: null, mountNamespace: null, netNamespace: null,
      unavailable: { runtime: NO_RUNTIME, mountNamespace: noLink(4367, 'mnt'), netNamespace: noLink(4367, 'net') },
    });
  });

  it('kthreadd is a kernel thread; the shell is a user process with I/O', () => {
    expect(byPid.get(2)).toMatchObject({ category: 'kernel', ppid: 0, rssBytes: 0 });
    expect(byPid.get(1812)).toMatchObject({ category: 'user', comm: 'bash', ioReadBytes: 5505024, ioWriteBytes: 192536576, minorFaults: 4867, majorFaults: 1 });
  });

  it('PID 1 has no io file in the tree (EACCES at capture time): io is null with the reason', () => {
    const p1 = byPid.get(1);
    expect(p1).toMatchObject({ io: null, ioReadBytes: null, ioWriteBytes: null });
    expect(p1?.unavailable).toEqual({
      runtime: NO_RUNTIME,
      io: `${join(proc('vm-6.18'), '1/io')} is unavailable: the file does not exist (a kernel without the feature, or a process that has exited)`,
      mountNamespace: noLink(1, 'mnt'),
      netNamespace: noLink(1, 'net'),
    });
  });

  it('without a sysfs root the cgroup ID is null with the reason', () => {
    const s = scanProcesses(proc('vm-6.18'), { pids: [4367] });
    expect(s.processes[0]).toMatchObject({ cgroupPath: '/', cgroupId: null, unavailable: { cgroupId: 'no sysfs root was given to look the cgroup directory up' } });
  });

  it('a sysfs root without a v2 hierarchy: null with the reason', () => {
    const s = scanProcesses(proc('vm-6.18'), { pids: [4367], sysRoot: proc('vm-6.18') });
    expect(s.processes[0]?.unavailable.cgroupId).toMatch(/^no cgroup v2 hierarchy under .*\/fs\/cgroup/);
  });

  it('a PID list reads only those PIDs; one that does not exist counts as vanished', () => {
    const s = scanProcesses(proc('vm-6.18'), { pids: [4368, 2, 99999, 2] });
    expect(s.processes.map((p) => p.pid)).toEqual([2, 4368]);
    expect(s.vanished).toBe(1);
  });
});

describe('processes that exit mid-scan', () => {
  it('vanished tree: 4999 (empty directory) and 4368 (stat only, status gone) are skipped and counted', () => {
    const s = scanProcesses(proc('vanished'));
    expect(s.processes.map((p) => p.pid)).toEqual([4367]);
    expect(s.vanished).toBe(2);
    expect(s.errors).toEqual([]);
  });

  it('readProcess says which file it found gone', () => {
    expect(readProcess(proc('vanished'), 4999)).toEqual({ status: 'vanished', pid: 4999, file: join(proc('vanished'), '4999/stat') });
    expect(readProcess(proc('vanished'), 4368)).toEqual({ status: 'vanished', pid: 4368, file: join(proc('vanished'), '4368/status') });
  });
});

describe('malformed trees', () => {
  it.each([
    ['stat-truncated', 'stat'],
    ['stat-unparsable', 'stat'],
    ['status-no-uid', 'status'],
    ['cgroup-garbage-line', 'cgroup'],
    ['io-truncated', 'io'],
  ])('malformed/%s: the process is left out and its error kept, naming %s', (tree, file) => {
    const s = scanProcesses(proc(`malformed/${tree}`));
    expect(s.processes).toEqual([]);
    expect(s.vanished).toBe(0);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toBeInstanceOf(EventProcessingFailed);
    expect(s.errors[0]?.details.path).toBe(join(proc(`malformed/${tree}`), `4367/${file}`));
    // The tree has no proc/stat: the boot time is unavailable, with the reason.
    expect(s.bootTime).toBeNull();
    expect(s.bootTimeUnavailable).toMatch(/^the boot time is unknown: .*\/stat cannot be read \(ENOENT\)/);
  });

  it('a procfs root that does not exist → DataUnavailable', () => {
    const e = caught(() => scanProcesses('/nonexistent-bpfscope-proc'));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect(e).toMatchObject({ details: { path: '/nonexistent-bpfscope-proc', code: 'ENOENT' } });
  });
});
