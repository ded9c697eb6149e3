// Real procfs: processes this test starts itself, with known names and parents.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../../test/real-kernel.js';
import { readProcess } from './read-process.js';
import { scanProcesses } from './scan-processes.js';

const exited = (c: ChildProcess): Promise<void> => new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
const spawned = (c: ChildProcess): Promise<void> => new Promise((resolve, reject) => { c.once('spawn', resolve); c.once('error', reject); });

describeKernel('readProcess and scanProcesses on the live /proc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-proc-'));
  // 15 bytes: the whole name fits in task->comm. Spaces and parentheses on purpose.
  const name = `x) S 1 (${Math.random().toString(36).slice(2, 8)}`.slice(0, 15);
  const exe = join(dir, name);
  let child: ChildProcess;

  beforeAll(async () => {
    copyFileSync('/bin/sleep', exe);
    child = spawn(exe, ['600'], { stdio: 'ignore' });
    await spawned(child);
  });
  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a child it started: name with spaces and parentheses, parent, owner, category, cgroup ID', () => {
    const r = readProcess('/proc', child.pid as number, { sysRoot: '/sys' });
    if (r.status !== 'ok') throw new Error(`child vanished: ${r.file}`);
    const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3);
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
    expect(r.record).toMatchObject({ pid: child.pid, ppid: process.pid, comm: name, uid: 0, euid: 0, threads: 1, category: 'user', cgroupPath: own, unavailable: {} });
    expect(r.record.cgroupId).toBe(Number(statSync(join(v2, own as string)).ino));
    expect(r.record.io).not.toBeNull();
  });

  it('a process that exited and was reaped is "vanished", not an error; a scan counts it', async () => {
    const gone = spawn('/bin/true', [], { stdio: 'ignore' });
    await exited(gone);
    const pid = gone.pid as number;
    expect(readProcess('/proc', pid)).toEqual({ status: 'vanished', pid, file: `/proc/${pid}/stat` });
    const scan = scanProcesses('/proc', { pids: [pid, child.pid as number] });
    expect(scan.vanished).toBe(1);
    expect(scan.processes.map((p) => p.pid)).toEqual([child.pid]);
  });

  it('another user may not read io (EACCES): io is null with the reason, the rest is read', () => {
    process.seteuid?.(65534);
    let r;
    try {
      r = readProcess('/proc', child.pid as number);
    } finally {
      process.seteuid?.(0);
    }
    if (r.status !== 'ok') throw new Error('child vanished');
    expect(r.record).toMatchObject({ comm: name, io: null, ioReadBytes: null, ioWriteBytes: null });
    expect(r.record.unavailable.io).toBe(`/proc/${child.pid}/io is unavailable: permission denied (per-process files such as io and syscall are readable only by the owner of the process or by root)`);
  });

  it('a scan of the whole /proc includes this process and PID 1', () => {
    const scan = scanProcesses('/proc');
    const pids = scan.processes.map((p) => p.pid);
    expect(pids).toContain(process.pid);
    expect(pids).toContain(1);
    expect(scan.errors).toEqual([]);
    expect(scan.bootTime).toBe(Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]));
  });
});
