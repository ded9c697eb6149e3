import { describe, expect, it } from 'vitest';
import { BatchQueue, type QueueOwner } from './batch-queue.js';
import { RingBatch } from './ring-batch.js';

const batch = (): RingBatch => new RingBatch(new ArrayBuffer(0), 0, 0, []);

function owner(): QueueOwner & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    congestion: (_q, congested) => events.push(congested ? 'congested' : 'relieved'),
    detach: () => events.push('detached'),
  };
}

describe('BatchQueue (the async iterator of a ring buffer consumer)', () => {
  it('hands a waiting reader the next batch at once', async () => {
    const q = new BatchQueue(owner(), 2);
    const next = q.next();
    const b = batch();
    q.push(b);
    expect(await next).toEqual({ value: b, done: false });
  });

  it('reports congestion past the limit and relief at half of it', async () => {
    const o = owner();
    const q = new BatchQueue(o, 4);
    for (let i = 0; i < 5; i++) q.push(batch());
    expect(o.events).toEqual(['congested']);
    for (let i = 0; i < 2; i++) await q.next(); // 3 left: still above 2
    expect(o.events).toEqual(['congested']);
    await q.next(); // 2 left
    expect(o.events).toEqual(['congested', 'relieved']);
  });

  it('after end() yields what it holds, then done; with an error, rejects once after that', async () => {
    const q = new BatchQueue(owner(), 8);
    const b = batch();
    q.push(b);
    const failure = new Error('poll failed');
    q.end(failure);
    q.push(batch()); // ignored after end
    expect(await q.next()).toEqual({ value: b, done: false });
    await expect(q.next()).rejects.toBe(failure);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('end() settles a reader that is waiting', async () => {
    const q = new BatchQueue(owner(), 8);
    const next = q.next();
    q.end();
    expect(await next).toEqual({ value: undefined, done: true });
  });

  it('return() (a break out of for await) detaches it and drops what it holds', async () => {
    const o = owner();
    const q = new BatchQueue(o, 8);
    q.push(batch());
    expect(await q.return()).toEqual({ value: undefined, done: true });
    expect(o.events).toEqual(['detached']);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
