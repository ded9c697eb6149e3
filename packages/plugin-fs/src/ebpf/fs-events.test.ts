import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, type EventFeed } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import { FS_BLOCK_OBJECT_PATH } from '../object-path.js';
import type { FsEvent } from '../records-events.js';
import { blockLayouts } from './block/block-layouts.js';
import { decodeSlowIo } from './block/block-events.js';
import { eventTypes, mergedEventStream, type PartFeed } from './fs-events.js';

const layouts = blockLayouts(readStructLayouts(readFileSync(FS_BLOCK_OBJECT_PATH), 'fs_block.bpf.o'));

function record(fields: { op: number; dev: number; pid: number; comm: string; bytes: number; sector: number; latencyNs: number; tsNs: number }): DataView {
  const o = layouts.event;
  const v = new DataView(new ArrayBuffer(o.size));
  v.setBigUint64(o.ts_ns, BigInt(fields.tsNs), true);
  v.setBigUint64(o.latency_ns, BigInt(fields.latencyNs), true);
  v.setBigUint64(o.sector, BigInt(fields.sector), true);
  v.setUint32(o.dev, fields.dev, true);
  v.setUint32(o.bytes, fields.bytes, true);
  v.setUint32(o.pid, fields.pid, true);
  v.setUint32(o.op, fields.op, true);
  new Uint8Array(v.buffer).set(Buffer.from(fields.comm), o.comm);
  return v;
}

describe('fs events', () => {
  it('decodes a slow-io record with its device name and wall time', () => {
    const v = record({ op: 1, dev: (7 << 20) | 4, pid: 42, comm: 'dd', bytes: 65536, sector: 2048, latencyNs: 1_234_567, tsNs: 5e9 });
    const e = decodeSlowIo(v, new Uint8Array(v.buffer), 0, layouts, (ns) => 1_000 + ns / 1e6, new Map([['7:4', 'loop4']]));
    expect(e).toEqual({ type: 'slow-io', time: 6_000, pid: 42, comm: 'dd', weight: 1, dev: '7:4', device: 'loop4', operation: 'write', sector: 2048, bytes: 65536, latencyUs: 1234.567 });
    const unnamed = decodeSlowIo(v, new Uint8Array(v.buffer), 0, layouts, (ns) => ns, new Map());
    expect(unnamed!.device).toBeNull();
    const flush = record({ op: 2, dev: 8 << 20, pid: 0, comm: '', bytes: 0, sector: 0, latencyNs: 10, tsNs: 1 });
    expect(decodeSlowIo(flush, new Uint8Array(flush.buffer), 0, layouts, (ns) => ns, new Map())!.operation).toBe('flush');
    const unknown = record({ op: 9, dev: 1, pid: 0, comm: '', bytes: 0, sector: 0, latencyNs: 0, tsNs: 0 });
    expect(decodeSlowIo(unknown, new Uint8Array(unknown.buffer), 0, layouts, (ns) => ns, new Map())).toBeNull();
  });

  it('checks the types option', () => {
    expect(eventTypes({})).toBeNull();
    expect([...eventTypes({ types: ['open'] })!]).toEqual(['open']);
    for (const bad of [[], ['slow'], 'open', [1]]) expect(() => eventTypes({ types: bad })).toThrow(ConfigError);
  });

  it('merges the parts into one stream, starts only the parts whose kinds are wanted, and sums kernel drops', async () => {
    const started: string[] = [];
    const stopped: string[] = [];
    const part = (name: string, kinds: PartFeed['kinds'], events: FsEvent[], drops: number | null): PartFeed => ({
      kinds,
      start: (push) => {
        started.push(name);
        queueMicrotask(() => events.forEach(push));
        return Promise.resolve<EventFeed>({ stop: () => void stopped.push(name), kernelDropped: () => drops });
      },
    });
    const slow = { type: 'slow-io', time: 1, pid: 1, comm: 'a', weight: 1, dev: '7:0', device: 'loop0', operation: 'read', sector: 0, bytes: 512, latencyUs: 3 } as const;
    const open = { type: 'open', time: 2, pid: 2, comm: 'b', weight: 1, dev: '8:1', inode: 12, path: '/x', flags: 0 } as const;
    const stop = new AbortController();
    const stream = mergedEventStream([part('block', ['slow-io'], [slow], 2), part('file', ['open'], [open], null)], { signal: stop.signal, queue: 10 });
    await stream.ready;
    const got = [(await stream.next()).value, (await stream.next()).value];
    expect(got).toEqual([slow, open]);
    stop.abort();
    expect(stopped).toEqual(['block', 'file']);

    const only = mergedEventStream([part('block2', ['slow-io'], [slow], 0), part('file2', ['open'], [open], 0)], { signal: new AbortController().signal, queue: 10, types: ['open'] });
    await only.ready;
    expect((await only.next()).value).toEqual(open);
    expect(started).toEqual(['block', 'file', 'file2']);
    await only.return!();
  });

  it('fails the stream and stops the parts started when one cannot start', async () => {
    const stopped: string[] = [];
    const ok: PartFeed = { kinds: ['slow-io'], start: () => Promise.resolve({ stop: () => void stopped.push('ok'), kernelDropped: () => null }) };
    const bad: PartFeed = { kinds: ['open'], start: () => Promise.reject(new Error('no')) };
    const stream = mergedEventStream([ok, bad], { signal: new AbortController().signal, queue: 10 });
    await expect(stream.ready).rejects.toThrow('no');
    expect(stopped).toEqual(['ok']);
  });
});
