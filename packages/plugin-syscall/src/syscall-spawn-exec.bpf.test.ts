import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { compileOnce } from '../../../test/compile-c.js';
import { syscall } from './plugin.js';

// w N K: N getppid calls, then K calls of syscall 600 (no such call on x86_64: ENOSYS).
const W = `
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]), k = atol(argv[2]);
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  for (long i = 0; i < k; i++) syscall(600);
  return 0;
}
`;

function runToEnd(bin: string, args: string[]): Promise<{ pid: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: 'ignore' });
    child.on('error', reject).on('exit', (code) => resolve({ pid: child.pid!, code }));
  });
}

describeKernel('syscall eBPF source: spawned commands and calls it has no slot for', () => {
  it('with spawnParent, a spawned command is counted from its exec: one execve, none of the launcher calls before it', async () => {
    const w = compileOnce(W, 'bpfscope-spawn-exec-');
    const engine = createEngine({ plugins: [syscall({ processes: true, spawnParent: process.pid })], config: { mode: 'ebpf', governor: { enabled: false }, cache: { enabled: false } }, logger: silent });
    await engine.start();
    const { pid, code } = await runToEnd(w, ['321', '0']);
    const m = await readSyscall(engine);
    await engine.close();
    expect(code).toBe(0);
    const calls = Object.fromEntries((m.processes.find((p) => p.pid === pid)?.bySyscall ?? []).map((s) => [s.name, s.count]));
    expect(calls.getppid).toBe(321);
    expect(calls.execve).toBe(1);
    expect(calls.exit_group).toBe(1);
    // Node's child set-up between fork and exec (signal dispositions, the error pipe) is not the command's.
    expect(calls.rt_sigaction).toBeUndefined();
    expect(calls.pipe2).toBeUndefined();
    // Only the command: the test process itself is not followed.
    expect(m.processes.map((p) => p.pid)).toEqual([pid]);
  });

  it('counts calls with an id past the table (>= 512) as drops, exactly, instead of ignoring them', async () => {
    const w = compileOnce(W, 'bpfscope-spawn-exec-');
    const engine = createEngine({ plugins: [syscall({ processes: true, spawnParent: process.pid, mode: 'counts' })], config: { mode: 'ebpf', governor: { enabled: false }, cache: { enabled: false } }, logger: silent });
    await engine.start();
    const before = (await readSyscall(engine)).kernel?.drops;
    const { pid, code } = await runToEnd(w, ['5', '4321']);
    const m = await readSyscall(engine);
    await engine.close();
    expect(code).toBe(0);
    expect(before).toBe(0);
    expect(m.kernel?.drops).toBe(4321);
    // The calls it has slots for are still counted.
    expect(m.processes.find((p) => p.pid === pid)?.bySyscall?.find((s) => s.name === 'getppid')?.count).toBe(5);
  });
});
