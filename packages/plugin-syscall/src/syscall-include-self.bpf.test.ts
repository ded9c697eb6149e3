import { expect, it } from 'vitest';
import { ConfigError, createEngine } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { readSyscall, silent } from '../test/read-syscall.js';
import { syscall } from './plugin.js';

/** Calls of this process in the second reading (reading the maps is itself a run of bpf() calls by this process). */
async function ownCalls(includeSelf: boolean | undefined): Promise<number | undefined> {
  const engine = createEngine({ plugins: [syscall({ processes: true, ...(includeSelf === undefined ? {} : { includeSelf }), topProcesses: 1_000_000 })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
  await engine.start();
  // The first reading's own bpf() map reads come after the programs were attached.
  await readSyscall(engine);
  const m = await readSyscall(engine);
  await engine.close();
  return m.processes.find((p) => p.pid === process.pid)?.count ?? undefined;
}

describeKernel('syscall eBPF source: the collector leaves itself out', () => {
  it('by default this process is not counted; includeSelf: true counts it', async () => {
    expect(await ownCalls(undefined)).toBeUndefined();
    expect(await ownCalls(false)).toBeUndefined();
    expect(await ownCalls(true)).toBeGreaterThan(0);
  });

  it('a PID filter that names this process counts it', async () => {
    const engine = createEngine({ plugins: [syscall({ processes: true, pids: [process.pid] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
    await engine.start();
    await readSyscall(engine);
    const m = await readSyscall(engine);
    await engine.close();
    expect(m.processes.map((p) => p.pid)).toEqual([process.pid]);
  });

  it('a non-boolean includeSelf is a ConfigError', () => {
    expect(() => syscall({ includeSelf: 'yes' as unknown as boolean })).toThrow(ConfigError);
  });
});
