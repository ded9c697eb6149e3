import { describe, expect, it } from 'vitest';
import { fakePlugin } from '../../../../test/fake-plugin.js';
import { DataUnavailable } from '../errors/taxonomy.js';
import { createEventStream } from '../events/event-stream.js';
import { createEngine } from './create-engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('an open event stream whose source is detached', () => {
  it('hands out what it holds, then ends with DataUnavailable (remedy attemptRecovery), and stops checking', async () => {
    const fake = fakePlugin('ev', 0);
    const pushes: ((n: number) => void)[] = [];
    fake.source.events = (options) =>
      createEventStream<number>({
        family: 'ev',
        queue: options.queue,
        signal: options.signal,
        start: async (p) => {
          pushes.push(p);
          return { stop: () => undefined, kernelDropped: () => null };
        },
      });
    const engine = createEngine({ plugins: [fake.plugin], config: { governor: { enabled: false } }, logger: silent });
    try {
      const events = engine.events('ev');
      const batches = engine.eventBatches('ev', { batch: { maxSize: 2, maxDelayMs: 1 } });
      await Promise.all([events.ready, batches.ready]);
      for (const push of pushes) for (const n of [1, 2, 3]) push(n);
      expect(engine.stats().running.map((r) => r.what)).toEqual([expect.stringMatching(/^2 event streams open .*a timer every 2 s per stream checks/)]);
      fake.detach('program ev_hook of ev is no longer attached');
      const got: number[] = [];
      const inBatches: number[] = [];
      const ends = await Promise.allSettled([
        (async () => {
          for await (const e of events) got.push(e);
        })(),
        (async () => {
          for await (const b of batches) inBatches.push(...b);
        })(),
      ]);
      expect(got).toEqual([1, 2, 3]);
      expect(inBatches).toEqual([1, 2, 3]);
      for (const end of ends) {
        expect(end.status).toBe('rejected');
        const e = (end as PromiseRejectedResult).reason as DataUnavailable;
        expect(e).toBeInstanceOf(DataUnavailable);
        expect(e.message).toMatch(/program ev_hook of ev is no longer attached/);
        expect(e.remedy).toMatch(/attemptRecovery/);
      }
      expect(events.counts().ended).toBe(true);
      expect(batches.counts().ended).toBe(true);
      expect(engine.stats().running).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
