// Pinning maps and programs in bpffs and opening the pins, in a private
// directory under /sys/fs/bpf that the suite removes.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Closed, LoadFailed, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, readU64, runChild } from '../test/helpers.js';
import { bpffsTestDir, u32le } from '../test/workload.js';
import { BpfMap, BpfObject, openPinnedProgram } from './index.js';

function expectError<T extends Error>(fn: () => unknown, type: new (...a: never[]) => T): T {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as T;
  }
  throw new Error(`expected ${type.name}`);
}

describeKernel('bpffs pins', () => {
  let dir: ReturnType<typeof bpffsTestDir>;
  beforeAll(() => {
    dir = bpffsTestDir();
  });
  afterAll(() => dir.remove());

  it('a pinned map opens standalone: lookups, updates, key walks and batches reach the same kernel map, after the object is closed too', async () => {
    const obj = BpfObject.open(fixture('map_types.bpf.o'));
    await obj.load();
    const hash = obj.map('mt_hash');
    const path = `${dir.path}/mt_hash`;
    hash.pin(path);
    expect(hash.pinnedPath).toBe(path);
    expect(existsSync(path)).toBe(true);

    const pinned = BpfMap.openPinned(path);
    expect(pinned).toMatchObject({ name: 'mt_hash', type: 'hash', keySize: 4, valueSize: 16, maxEntries: hash.maxEntries, keyType: '__u32', valueType: 'struct mt_value' });
    expect(pinned.id).toBe(hash.id);
    const value = new Uint8Array(16);
    new DataView(value.buffer).setBigUint64(8, 77n, true);
    hash.update(u32le(5), value);
    expect(readU64(pinned.lookup(u32le(5)) ?? new Uint8Array(16), 8)).toBe(77n);
    pinned.update(u32le(6), value);
    expect(hash.lookup(u32le(6))).toBeDefined();
    expect(pinned.valueLayout().fields.sum).toMatchObject({ offset: 8, size: 8, kind: 'uint' });

    obj.close(); // the pin keeps the map alive
    expect(await pinned.updateBatch([u32le(7), u32le(8)], [value, value])).toBe(2);
    expect([...pinned.keys()].length).toBe(4);
    const batch = await pinned.lookupBatch();
    expect(batch.count).toBe(4);
    expect(await pinned.deleteBatch([u32le(7)])).toBe(1);
    expect((await pinned.lookupAndDeleteBatch()).count).toBe(3);

    // Another opening of the same pin sees the same (now empty) map.
    const again = BpfMap.openPinned(path);
    expect([...again.keys()]).toHaveLength(0);
    again.close();

    pinned.close();
    expectError(() => pinned.lookup(u32le(5)), Closed);
    await expect(pinned.lookupBatch()).rejects.toBeInstanceOf(Closed);
    pinned.unpin();
    expect(existsSync(path)).toBe(false);
    expectError(() => pinned.unpin(), MapOperationFailed);
  });

  it('a map pinned by a process that has exited is reopened with its values', async () => {
    const path = `${dir.path}/from_child`;
    const child = await runChild('pin-and-exit.ts', { BPFSCOPE_PIN_PATH: path });
    expect(child.stdout).toContain(`pinned ${path}`);
    expect(child.code).toBe(0);
    const pinned = BpfMap.openPinned(path);
    const values = [1, 2, 3].map((k) => readU64(pinned.lookup(u32le(k)) ?? new Uint8Array(16), 8));
    expect(values).toEqual([1000n, 2000n, 3000n]);
    expect([...pinned.keys()]).toHaveLength(3);
    pinned.unpin();
    pinned.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses bad pin paths and pins that are not maps with errors naming the problem', async () => {
    const obj = BpfObject.open(fixture('map_types.bpf.o'));
    await obj.load();
    try {
      const array = obj.map('mt_array');
      array.pin(`${dir.path}/taken`);
      expect(expectError(() => array.pin(`${dir.path}/taken`), MapOperationFailed).errno).toBe(17);
      expect(expectError(() => array.pin(`${dir.path}/no/such/dir`), MapOperationFailed).errno).toBe(2);
      expect(expectError(() => array.pin('/tmp/bpfscope-not-bpffs'), MapOperationFailed).message).toMatch(/not on a bpf file system \(bpffs is mounted at .*\/sys\/fs\/bpf/);
      expect(expectError(() => array.pin('relative/path'), MapOperationFailed).message).toMatch(/must be absolute/);
      expect(expectError(() => BpfMap.openPinned(`${dir.path}/missing`), MapOperationFailed).errno).toBe(2);

      obj.pinProgram('mt_switch', `${dir.path}/prog`);
      expect(expectError(() => BpfMap.openPinned(`${dir.path}/prog`), MapOperationFailed).message).toMatch(/is a pinned prog, not a map/);
      expect(expectError(() => openPinnedProgram(`${dir.path}/taken`), LoadFailed).message).toMatch(/is a pinned map, not a program/);
      // Paths off bpffs are refused before anything is opened.
      expect(() => openPinnedProgram('/etc/hostname')).toThrow(/not on a bpf file system/);
      expectError(() => obj.unpinProgram('nope'), LoadFailed);
      obj.unpinProgram('mt_switch');
      expect(existsSync(`${dir.path}/prog`)).toBe(false);
      array.unpin();
    } finally {
      obj.close();
    }
  });

  it('a pinned program opens by fd with its id, name and run statistics', async () => {
    const obj = BpfObject.open(fixture('map_types.bpf.o'));
    await obj.load();
    const path = `${dir.path}/mt_switch`;
    obj.pinProgram('mt_switch', path);
    const [stats] = obj.programStats();
    obj.close(); // the pin keeps the program
    const prog = openPinnedProgram(path);
    const info = prog.info();
    expect(info).toMatchObject({ id: stats?.id, name: 'mt_switch', type: 'tracing' });
    expect(info.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(info.verifiedInsns).toBeGreaterThan(0);
    expect(typeof info.runCount).toBe('number');
    prog.close();
    expectError(() => prog.info(), Closed);
  });
});
