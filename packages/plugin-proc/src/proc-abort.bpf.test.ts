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

  // The task table is read on a pool thread when it is large (here: inlineMaxBytes 0), else on
  // this thread: an abort during either read rejects at once and leaves the table undecoded.
  for (const [where, method, inlineMaxBytes] of [['a pool thread', 'readIteratorInto', 0], ['this thread', 'readIteratorIntoSync', undefined]] as const) {
    it(`a read aborted while the task iterator runs on ${where} rejects with the abort reason, and the next read works`, async () => {
      const source = new ProcEbpfSource(checkSelection({}), undefined, { inlineMaxBytes });
      const config = validateConfig({});
      await source.init({ config, options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal });
      try {
        const controller = new AbortController();
        const reason = new Timeout('proc-ebpf read', 1);
        // Instrumentation only: abort right after the real iterator read has started (or, on this thread, ran).
        const readInto = abortWhenCalled(method, controller, reason);
        try {
          await expect(source.read({ signal: controller.signal })).rejects.toBe(reason);
        } finally {
          readInto.restore();
        }
        expect(readInto.calls()).toBe(1);
        // The aborted read decoded nothing (init's read decodes nothing either): the next one is the first reading, with no interval.
        const m = await source.read({ signal: new AbortController().signal });
        expect(m.processes.some((p) => p.pid === process.pid)).toBe(true);
        expect(m.intervalMs).toBeNull();
      } finally {
        await source.close();
      }
    });
  }
});
