import { expect, it } from 'vitest';
import { createEngine, Timeout } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { bpfFdCount } from '../../native/test/helpers.js';
import { initAbortedDuringLoad, settleBpfFds as settle } from '../../native/test/abort-instrument.js';
import { CpuEbpfSource } from './ebpf/cpu-ebpf-source.js';
import { cpu } from './plugin.js';

describeKernel('cpu eBPF source under the engine’s init time limit', () => {
  it('an init aborted at its family’s initTimeoutMs leaves no program, map or link behind', async () => {
    const baseline = bpfFdCount();
    // 1 ms: the abort lands while the object is read or loaded (a load runs the verifier on 5 programs).
    const engine = createEngine({ plugins: [cpu()], config: { mode: 'ebpf', initAttempts: 1, logLevel: 'silent', families: { cpu: { initTimeoutMs: 1 } } } });
    const error = await engine.start().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Timeout);
    expect((error as Timeout).details).toMatchObject({ ms: 1, family: 'cpu' });
    expect(engine.stats().collectors[0]).toMatchObject({ source: null, timeouts: { init: 1 } });
    // Whatever the load made is closed: the process holds no more BPF fds than before.
    expect(await settle(baseline)).toBe(baseline);
    // The family comes back with a workable limit.
    const ok = createEngine({ plugins: [cpu()], config: { mode: 'ebpf', logLevel: 'silent', families: { cpu: { initTimeoutMs: 60_000 } } } });
    await ok.start();
    expect(bpfFdCount()).toBeGreaterThan(baseline);
    await ok.close();
    await engine.close();
    expect(await settle(baseline)).toBe(baseline);
  });

  it('an abort while the object loads closes it: the load’s late result leaves nothing behind', async () => {
    const baseline = bpfFdCount();
    const reason = new Timeout('cpu-ebpf init', 1);
    const source = new CpuEbpfSource();
    expect(await initAbortedDuringLoad(source, reason)).toEqual({ rejection: reason, loads: 1 });
    expect(await settle(baseline)).toBe(baseline);
    await source.close();
  });
});
