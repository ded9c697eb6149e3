import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProcMetrics, ProcessRecord } from '@bpfscope/plugin-proc';
import { KernelThreadNames, localDateTime, readCommandLine, stateWord, UserNames } from './process-details.js';
import { toProcesses } from './processes.js';

const root = mkdtempSync(join(tmpdir(), 'si-proc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): { procRoot: string; sysRoot: string } {
  const dir = mkdtempSync(join(root, 't-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { procRoot: join(dir, 'proc'), sysRoot: join(dir, 'sys') };
}

const BOOT_S = 1_700_000_000;
function rec(o: Partial<ProcessRecord> & { pid: number }): ProcessRecord {
  return {
    source: 'ebpf', ppid: 1, comm: 'x', state: 'S', uid: 0, euid: 0, nice: 0, priority: 20, threads: 1, category: 'user',
    startSecondsSinceBoot: 100, startTime: BOOT_S + 100, userSeconds: 0, systemSeconds: 0, runtimeSeconds: null, cpuPercent: null,
    rssBytes: 0, vsizeBytes: 0, minorFaults: 0, majorFaults: 0, voluntaryCtxtSwitches: null, nonvoluntaryCtxtSwitches: null,
    ioReadBytes: null, ioWriteBytes: null, io: null, cgroupPath: null, cgroupId: null, cgroups: null, container: null,
    mountNamespace: null, netNamespace: null, unavailable: {}, ...o,
  };
}
const metrics = (processes: ProcessRecord[]): ProcMetrics => ({
  countersSince: new Date(BOOT_S * 1000).toISOString(), intervalMs: null, total: processes.length, matched: processes.length, processes,
  vanished: 0, filledFromProcfs: 0, malformed: 0, unmeasured: 0, fieldSources: {}, unavailable: {},
});

describe('toProcesses', () => {
  it('commandLines: false reads no cmdline: command is the kernel name, params and path empty', () => {
    const t = tree({ 'sys/devices/system/cpu/online': '0\n', 'proc/11/cmdline': 'node\x00--password=hunter2\x00', passwd: 'root:x:0:0::/root:/bin/sh\n' });
    const users = new UserNames(join(t.procRoot, '..', 'passwd'));
    const records = metrics([rec({ pid: 11, comm: 'node' })]);
    const asked = toProcesses(records, (BOOT_S + 10) * 1000, null, { ...t, users });
    expect(asked.result.list[0]).toMatchObject({ command: 'node', params: '--password=hunter2' });
    const not = toProcesses(records, (BOOT_S + 10) * 1000, null, { ...t, users, commandLines: false });
    expect(not.result.list[0]).toMatchObject({ command: 'node', params: '', path: '', name: 'node' });
  });

  it('cpu over the interval as a share of all CPUs, ps units (KiB, pri = 39 − priority), user names, command lines, state counts', () => {
    const t = tree({
      'sys/devices/system/cpu/online': '0-1\n',
      'proc/10/cmdline': '/usr/bin/sleep\x00600\x00',
      'proc/11/cmdline': 'node\x00a.js\x00--x\x00',
      'passwd': 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n',
    });
    const users = new UserNames(join(t.procRoot, '..', 'passwd'));
    const ctx = { ...t, users };
    const a = toProcesses(metrics([rec({ pid: 11, userSeconds: 1, systemSeconds: 1 }), rec({ pid: 10, euid: 1000, rssBytes: totalmem() / 10, vsizeBytes: 8192 })]), (BOOT_S + 1000) * 1000, null, ctx);
    // First call: CPU seconds since start over all CPUs' time since boot: 2 s / (1000 s × 2).
    expect(a.result.list.find((p) => p.pid === 11)).toMatchObject({ cpu: 0.1, cpuu: 0.05, cpus: 0.05, command: 'node', params: 'a.js --x', path: '', name: 'node', user: 'root' });
    const b = toProcesses(metrics([rec({ pid: 11, userSeconds: 2.5, systemSeconds: 1.5, state: 'R' }), rec({ pid: 10, euid: 1000, rssBytes: totalmem() / 10, vsizeBytes: 8192, state: 'D' }), rec({ pid: 12, ppid: 11, userSeconds: 0.5, state: 'Z', euid: 4242 })]), (BOOT_S + 1002) * 1000, a, ctx);
    const [p10, p11, p12] = b.result.list;
    expect(p11).toMatchObject({ pid: 11, cpuu: 37.5, cpus: 12.5, cpu: 50, state: 'running' });
    expect(p10).toMatchObject({ pid: 10, parentPid: 1, name: 'sleep', command: 'sleep', params: '600', path: '/usr/bin', user: 'alice', memVsz: 8, priority: 19, state: 'blocked', tty: null, cpu: 0 });
    expect(p10!.mem).toBeCloseTo(10, 6);
    // New since the previous call: its CPU time since it started over all CPUs' time since boot (as
    // systeminformation counts a process it has not seen); no command line (a zombie): its comm; an unknown uid as a number.
    expect(p12).toMatchObject({ pid: 12, command: 'x', params: '', user: '4242', state: 'zombie' });
    expect(p12!.cpu).toBeCloseTo((0.5 / (1002 * 2)) * 100, 9);
    expect(b.result).toMatchObject({ all: 3, running: 1, blocked: 1, sleeping: 0, unknown: 1 });
    expect(p10!.started).toBe(localDateTime((BOOT_S + 100) * 1000));
    const local = new Date((BOOT_S + 100) * 1000 - new Date((BOOT_S + 100) * 1000).getTimezoneOffset() * 60_000).toISOString();
    expect(p10!.started).toBe(`${local.slice(0, 10)} ${local.slice(11, 19)}`);
    // The same reading again (calls sharing it): the same answer, not a zero-length interval.
    expect(toProcesses(metrics([]), (BOOT_S + 1002) * 1000, b, ctx)).toBe(b);
  });

  it('cpu is null when the online CPUs cannot be read, and clamped to 100 when user + system exceed the interval', () => {
    const t = tree({ 'proc/.keep': '' });
    const ctx = { ...t, users: new UserNames(join(root, 'none')) };
    const r = toProcesses(metrics([rec({ pid: 5 })]), (BOOT_S + 10) * 1000, null, ctx).result.list[0]!;
    expect([r.cpu, r.cpuu, r.cpus, r.user]).toEqual([null, null, null, '0']);
    const t2 = tree({ 'sys/devices/system/cpu/online': '0\n' });
    const c2 = { ...t2, users: ctx.users };
    const a = toProcesses(metrics([rec({ pid: 5 })]), (BOOT_S + 10) * 1000, null, c2);
    const b = toProcesses(metrics([rec({ pid: 5, userSeconds: 3, systemSeconds: 1 })]), (BOOT_S + 11) * 1000, a, c2).result.list[0]!;
    expect([b.cpu, b.cpuu, b.cpus]).toEqual([100, 75, 25]);
  });
});

describe('toProcesses: started', () => {
  it('each process\'s start as local time, the same text from call to call, another for another start under the same PID; kept only for listed processes', () => {
    const t = tree({ 'sys/devices/system/cpu/online': '0\n' });
    const ctx = { ...t, users: new UserNames(join(t.procRoot, 'no-passwd')) };
    const a = toProcesses(metrics([rec({ pid: 5, startTime: BOOT_S + 100 }), rec({ pid: 6, startTime: BOOT_S + 200 })]), (BOOT_S + 1000) * 1000, null, ctx);
    expect(a.result.list.map((p) => p.started)).toEqual([localDateTime((BOOT_S + 100) * 1000), localDateTime((BOOT_S + 200) * 1000)]);
    const b = toProcesses(metrics([rec({ pid: 5, startTime: BOOT_S + 100 }), rec({ pid: 6, startSecondsSinceBoot: 300, startTime: BOOT_S + 300 })]), (BOOT_S + 1001) * 1000, a, ctx);
    expect(b.result.list.map((p) => p.started)).toEqual([localDateTime((BOOT_S + 100) * 1000), localDateTime((BOOT_S + 300) * 1000)]);
    expect([...b.started.keys()].sort()).toEqual([(BOOT_S + 100) * 1000, (BOOT_S + 300) * 1000]);
    expect(toProcesses(metrics([rec({ pid: 7, startTime: null })]), (BOOT_S + 1002) * 1000, b, ctx).result.list[0]?.started).toBeNull();
  });
});

describe('process details', () => {
  it('kernel threads: comm, the part before a numbered /, the full name from /proc/<pid>/comm when comm is 15 bytes', () => {
    const t = tree({ 'proc/3/comm': 'pool_workqueue_release\n' });
    expect(readCommandLine(t.procRoot, 3, 'pool_workqueue_', true)).toEqual({ command: 'pool_workqueue_release', params: '', path: '', name: 'pool_workqueue_release' });
    expect(readCommandLine(t.procRoot, 4, 'kworker/0:1', true)).toMatchObject({ command: 'kworker/0:1', name: 'kworker' });
    expect(readCommandLine(t.procRoot, 5, 'migration/1', true)).toMatchObject({ name: 'migration' });
  });

  it('kernel threads\' full names through toProcesses: read once per thread while its task name stays; a workqueue worker\'s at every call; a gone thread forgotten', () => {
    const t = tree({ 'proc/3/comm': 'pool_workqueue_release\n', 'proc/7/comm': 'kworker/R-ext4-rsv-conversion\n', 'sys/devices/system/cpu/online': '0\n' });
    const names = new KernelThreadNames(t.procRoot);
    const ctx = { ...t, users: new UserNames(join(t.procRoot, 'no-passwd')), kernelNames: names };
    const threads = (comm3: string): ProcMetrics => metrics([rec({ pid: 3, comm: comm3, category: 'kernel' }), rec({ pid: 7, comm: 'kworker/R-ext4-', category: 'kernel' })]);
    const commands = (m: ProcMetrics, at: number): string[] => toProcesses(m, at, null, ctx).result.list.map((p) => p.command);
    expect(commands(threads('pool_workqueue_'), 1)).toEqual(['pool_workqueue_release', 'kworker/R-ext4-rsv-conversion']);
    // The files change: the kept name stands for the same thread and task name; the worker's is read again.
    writeFileSync(join(t.procRoot, '3/comm'), 'pool_workqueue_other\n');
    writeFileSync(join(t.procRoot, '7/comm'), 'kworker/R-ext4-rsv-conversion+busy\n');
    expect(commands(threads('pool_workqueue_'), 2)).toEqual(['pool_workqueue_release', 'kworker/R-ext4-rsv-conversion+busy']);
    // A new task name is read again.
    expect(commands(threads('pool_workqueue2'), 3)).toEqual(['pool_workqueue_other', 'kworker/R-ext4-rsv-conversion+busy']);
    // Kept again under the old task name; then a listing without the thread forgets it:
    // when it shows again, its name is read again.
    expect(commands(threads('pool_workqueue_'), 4)[0]).toBe('pool_workqueue_other');
    writeFileSync(join(t.procRoot, '3/comm'), 'pool_workqueue_kept\n');
    expect(commands(threads('pool_workqueue_'), 4.5)[0]).toBe('pool_workqueue_other');
    toProcesses(metrics([]), 4.7, null, ctx);
    writeFileSync(join(t.procRoot, '3/comm'), 'pool_workqueue_third\n');
    expect(commands(threads('pool_workqueue_'), 5)[0]).toBe('pool_workqueue_third');
  });

  it('a command line longer than the read buffer is read whole', () => {
    const long = 'y'.repeat(40_000);
    const t = tree({ 'proc/9/cmdline': `/bin/prog\x00${long}\x00` });
    expect(readCommandLine(t.procRoot, 9, 'prog', false).params).toBe(long);
  });

  it("ps's state words", () => {
    expect(['R', 'S', 'D', 'T', 'Z', 'X', 'W', 'I', 't'].map(stateWord)).toEqual(['running', 'sleeping', 'blocked', 'stopped', 'zombie', 'dead', 'paging', 'unknown', 'unknown']);
  });
});
