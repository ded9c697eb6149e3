import { expect, it } from 'vitest';
import { createConsoleLogger, Timeout, validateConfig } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { bpfFdCount } from '../../native/test/helpers.js';
import { abortWhenCalled, initAbortedDuringLoad, settleBpfFds as settle } from '../../native/test/abort-instrument.js';
import { ProcEbpfSource } from './ebpf/proc-ebpf-source.js';
import { checkSelection } from './selection.js';

describeKernel('proc eBPF source and the engine’s abort signal', () => {
  it('an abort while the object loads closes it: the load’s late result leaves nothing behind', async () => {
    const baseline = bpfFdCount();
    const reason = new Timeout('proc-ebpf init', 1);
    const source = new ProcEbpfSource(checkSelection({}));
    expect(await initAbortedDuringLoad(source, reason)).toEqual({ rejection: reason, loads: 1 });
    expect(await settle(baseline)).toBe(baseline);
    await source.close();
  });

  it('a read aborted while the task iterator runs rejects with the abort reason at once, and the next read works', async () => {
    const source = new ProcEbpfSource(checkSelection({}));
    const config = validateConfig({});
    await source.init({ config, options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
    try {
      const controller = new AbortController();
      const reason = new Timeout('proc-ebpf read', 1);
      // Instrumentation only: abort right after the real iterator read has started on the pool.
      const readInto = abortWhenCalled('readIteratorInto', controller, reason);
      try {
        await expect(source.read({ signal: controller.signal })).rejects.toBe(reason);
      } finally {
        readInto.restore();
      }
      expect(readInto.calls()).toBe(1);
      const m = await source.read({ signal: new AbortController().signal });
      expect(m.processes.some((p) => p.pid === process.pid)).toBe(true);
    } finally {
      await source.close();
    }
  });
});
