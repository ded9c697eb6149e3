// Fault: the programs under open event streams destroyed from outside. A stream whose hooks
// are gone would otherwise go quiet, as if no call happened: both an event stream and a
// batched stream hand out every event they took, then end with the family's
// DataUnavailable naming the programs (remedy engine.attemptRecovery()).
import { expect, it } from 'vitest';
import { createEngine, DataUnavailable } from '@bpfscope/core';
import { clearCache } from '@bpfscope/native';
import { captureLinks } from '../../../test/link-hook.js';
import { describeKernel } from '../../../test/real-kernel.js';
import { silent } from '../test/read-syscall.js';
import { getppidStreams, GETPPID } from '../test/getppid-streams.js';
import { syscall } from './plugin.js';

const CALLS = 3_000;

describeKernel('syscall family: programs destroyed under open event streams', () => {
  it('an event stream and a batched stream deliver what they took, then end with DataUnavailable naming the programs', async () => {
    clearCache(); // a fresh object: the links below are this engine's
    const hook = captureLinks();
    const engine = createEngine({ plugins: [syscall({ mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false }, governor: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      const { w, events, batches } = await getppidStreams(engine, CALLS);
      let seen = 0;
      let inBatches = 0;
      let all = (): void => undefined;
      const allSeen = new Promise<void>((resolve) => (all = resolve));
      const check = (): void => {
        if (seen === CALLS && inBatches === CALLS) all();
      };
      const consumers = Promise.allSettled([
        (async () => {
          for await (const e of events) {
            expect(e).toMatchObject({ pid: w.pid, id: GETPPID });
            seen++;
            check();
          }
        })(),
        (async () => {
          for await (const b of batches) {
            inBatches += b.length;
            check();
          }
        })(),
      ]);
      expect((await w.go()).code).toBe(0);
      await allSeen; // every call of the workload went out on both streams

      const programs = [...new Set(hook.links.filter((l) => l.attached && l.program.startsWith('sc_')).map((l) => l.program))];
      expect(programs).toEqual(expect.arrayContaining(['sc_enter', 'sc_exit']));
      for (const p of programs) hook.destroy(p);

      const ends = await consumers;
      for (const end of ends) {
        expect(end.status).toBe('rejected');
        const error = (end as PromiseRejectedResult).reason as DataUnavailable;
        expect(error).toBeInstanceOf(DataUnavailable);
        expect(error.message).toMatch(/sc_enter/);
        expect(error.remedy).toMatch(/attemptRecovery/);
      }
      // Nothing lost on the way: every event counted as delivered was handed out.
      expect(events.counts()).toMatchObject({ ended: true, delivered: CALLS, droppedQueue: 0, droppedKernel: 0 });
      expect(batches.counts()).toMatchObject({ ended: true, delivered: CALLS, droppedQueue: 0, droppedKernel: 0 });
      // The family's readings say the same.
      const snap = await engine.collect();
      expect(snap.get('syscall')).toBeUndefined();
      expect(snap.errors.map((e) => [e.family, e.error.code])).toEqual([['syscall', 'DATA_UNAVAILABLE']]);
    } finally {
      hook.restore();
      await engine.close();
    }
  });
});
