import { describe, expect, it } from 'vitest';
import { fakePlugin } from '../../../../test/fake-plugin.js';
import { createEventStream } from '../events/event-stream.js';
import { createEngine } from './create-engine.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('engine.stats().running', () => {
  it('is empty for an idle started engine, and lists a stream() loop, open event streams and what the source runs, each only while it runs', async () => {
    const fake = fakePlugin('ev', 0);
    let scanning = false;
    fake.source.events = (options) =>
      createEventStream<number>({
        family: 'ev',
        queue: options.queue,
        signal: options.signal,
        start: async () => {
          scanning = true;
          return { stop: () => void (scanning = false), kernelDropped: () => null };
        },
      });
    fake.source.activity = () => (scanning ? ['a scan every 10 ms'] : []);
    const engine = createEngine({ plugins: [fake.plugin], logger: silent });
    await engine.start();
    await engine.collect();
    expect(engine.stats().running).toEqual([]);

    const events = new AbortController();
    const stream = engine.events('ev', { signal: events.signal });
    await stream.ready;
    const loop = new AbortController();
    const snapshots = engine.stream({ intervalMs: 60_000, signal: loop.signal });
    await snapshots.next(); // the loop now waits on its timer
    const running = engine.stats().running;
    expect(running).toEqual([
      { family: null, what: '1 stream() loop: a timer between readings' },
      { family: 'ev', what: `1 event stream open (${fake.source.name}): delivered as the source gives them; a timer every 2 s per stream checks that its programs are still attached` },
      { family: 'ev', what: 'a scan every 10 ms' },
    ]);

    loop.abort();
    await snapshots.next();
    events.abort();
    for await (const _ of stream) void _;
    expect(engine.stats().running).toEqual([]);
    await engine.close();
  });
});
