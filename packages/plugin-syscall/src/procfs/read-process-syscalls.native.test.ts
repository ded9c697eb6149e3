// Real procfs: a `cat` this test drives, so the number of read and write calls is known.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../../test/real-kernel.js';
import { readProcessSyscalls, type ProcessSyscalls } from './read-process-syscalls.js';

const CHUNKS = 25;

describeKernel('readProcessSyscalls on the live /proc', () => {
  let cat: ChildProcess;
  const pid = (): number => cat.pid as number;
  const read = (): ProcessSyscalls => {
    const r = readProcessSyscalls('/proc', pid());
    if (r.status !== 'ok') throw new Error(`cat vanished at ${r.file}`);
    return r.record;
  };
  // cat is idle once it sits in read(0, ...): every earlier read and write has returned and
  // been counted (the kernel counts a call when it returns). One reading takes io before
  // syscall, so cat may still have been starting up when io was read: accept two readings
  // in a row that both see it idle with the same counts. Bounded poll, no timing assertion.
  const blockedInStdin = (r: ProcessSyscalls): boolean => r.current?.state === 'in-syscall' && r.current.name === 'read' && r.current.args[0] === 0n;
  const idle = async (): Promise<ProcessSyscalls> => {
    let prev: ProcessSyscalls | undefined;
    for (let i = 0; i < 2000; i++) {
      const r = read();
      if (blockedInStdin(r) && prev !== undefined && blockedInStdin(prev) && prev.readCalls === r.readCalls && prev.writeCalls === r.writeCalls) return r;
      prev = r;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('cat never blocked in read(0, ...)');
  };

  beforeAll(async () => {
    cat = spawn('/bin/cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    await once(cat, 'spawn');
  });
  afterAll(async () => {
    if (cat.exitCode === null && cat.signalCode === null) {
      cat.kill('SIGKILL');
      await once(cat, 'exit');
    }
  });

  it(`${CHUNKS} echoed chunks are exactly ${CHUNKS} read-class and ${CHUNKS} write-class calls`, async () => {
    const before = await idle();
    expect(before.current).toMatchObject({ state: 'in-syscall', nr: 0, name: 'read', category: 'file_io' });
    for (let i = 0; i < CHUNKS; i++) {
      // One chunk at a time, and wait for its echo, so each read() returns exactly one chunk.
      cat.stdin?.write(`chunk ${i}\n`);
      await once(cat.stdout as NodeJS.EventEmitter, 'data');
    }
    const after = await idle();
    expect((after.readCalls as number) - (before.readCalls as number)).toBe(CHUNKS);
    expect((after.writeCalls as number) - (before.writeCalls as number)).toBe(CHUNKS);
    expect(after.unavailable.current).toBeUndefined();
  });

  it('another user may not read io or syscall: both unavailable with the reason', () => {
    process.seteuid?.(65534);
    let r;
    try {
      r = readProcessSyscalls('/proc', pid());
    } finally {
      process.seteuid?.(0);
    }
    if (r.status !== 'ok') throw new Error('cat vanished');
    expect(r.record).toMatchObject({ readCalls: null, writeCalls: null, current: null });
    expect(r.record.unavailable.readCalls).toMatch(/io is unavailable: permission denied/);
    expect(r.record.unavailable.current).toMatch(/syscall is unavailable: (permission denied|operation not permitted)/);
  });

  it('after cat exits and is reaped: vanished', async () => {
    const p = pid();
    cat.stdin?.end();
    await once(cat, 'exit');
    expect(readProcessSyscalls('/proc', p)).toEqual({ status: 'vanished', pid: p, file: `/proc/${p}/io` });
  });
});
