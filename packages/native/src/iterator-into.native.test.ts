// readIteratorInto: an iterator read into a buffer the caller reuses.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AttachFailed, ConfigError } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { BpfObject, decodeRecords } from './index.js';

describeKernel('readIteratorInto (iter_task.bpf.o)', () => {
  let obj: BpfObject;
  beforeAll(async () => {
    obj = BpfObject.open(fixture('iter_task.bpf.o'));
    await obj.load();
  });
  afterAll(() => obj.close());

  it('reads into the given buffer when the output fits, and again into the same one', async () => {
    const into = new Uint8Array(4 << 20);
    const first = await obj.readIteratorInto('iter_task', into);
    expect(first.buffer).toBe(into.buffer);
    expect(first.length % 56).toBe(0);
    const records = decodeRecords(first, obj.structLayout('iter_task_rec'));
    expect(records.some((r) => r.tgid === process.pid && r.pid === process.pid)).toBe(true);
    const second = await obj.readIteratorInto('iter_task', into);
    expect(second.buffer).toBe(into.buffer);
    expect(second.length / 56).toBeGreaterThan(10);
  });

  it('moves output that does not fit to a new buffer, whole', async () => {
    const small = new Uint8Array(112);
    const out = await obj.readIteratorInto('iter_task', small);
    expect(out.buffer).not.toBe(small.buffer);
    expect(out.length % 56).toBe(0);
    expect(out.length / 56).toBeGreaterThan(10);
    const tids = decodeRecords(out, obj.structLayout('iter_task_rec')).map((r) => r.pid as number);
    expect(new Set(tids).size).toBe(tids.length);
  });

  it('refuses a view that is not a whole buffer, and a program that is not an iterator', async () => {
    await expect(obj.readIteratorInto('iter_task', new Uint8Array(1024).subarray(8))).rejects.toBeInstanceOf(ConfigError);
    const maps = BpfObject.open(fixture('maps.bpf.o'));
    await maps.load();
    await expect(maps.readIteratorInto('test_switch', new Uint8Array(64))).rejects.toBeInstanceOf(AttachFailed);
    maps.close();
  });
});
