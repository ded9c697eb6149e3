// Faults under pinned objects, on a bpffs of the test's own (mounted in a temp dir):
// the pin removed from outside, and the whole bpffs unmounted, while an object and a
// map opened from the pin are in use. The kernel map lives on while a handle holds it,
// every pin operation on the vanished path is a typed error, and once the last handle
// closes the kernel frees the map.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LoadFailed, MapOperationFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture, readU64 } from '../test/helpers.js';
import { bpffsTestDir, u32le } from '../test/workload.js';
import { BpfMap, BpfObject } from './index.js';

function mountBpffs(): { dir: string; mounted: () => boolean; umount: () => void; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bpffs-'));
  execFileSync('mount', ['-t', 'bpf', 'bpf', dir]);
  let mounted = true;
  const umount = (): void => {
    execFileSync('umount', [dir]);
    mounted = false;
  };
  return { dir, mounted: () => mounted, umount, remove: () => { if (mounted) umount(); rmSync(dir, { recursive: true, force: true }); } };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** A value of mt_hash (struct mt_value: u64 count, u64 sum) with `sum`. */
function value(sum: bigint): Uint8Array {
  const v = new Uint8Array(16);
  new DataView(v.buffer).setBigUint64(8, sum, true);
  return v;
}

/** Whether the kernel still has a map of this id (bpftool asks the kernel by id). */
const mapExists = (id: number): boolean => spawnSync('bpftool', ['map', 'show', 'id', String(id)]).status === 0;

async function untilFreed(id: number): Promise<void> {
  // The kernel frees a map after an RCU grace period: wait (no time limit) until it is gone.
  while (mapExists(id)) await new Promise((r) => setTimeout(r, 20));
}

describeKernel('faults under pinned maps and programs (a bpffs of the test’s own)', () => {
  let fs: ReturnType<typeof mountBpffs>;
  let system: ReturnType<typeof bpffsTestDir>;
  beforeEach(() => {
    // The system's bpffs stays mounted (mounted first when missing): after the test's own
    // goes, its paths are "not on a bpf file system", not "no bpffs at all".
    system = bpffsTestDir();
    fs = mountBpffs();
  });
  afterEach(() => {
    fs.remove();
    system.remove();
  });

  it('a pin removed from outside: the object and the opened pin keep reaching one kernel map; unpin, a second open and unpinProgram are typed errors; the path can be pinned again', async () => {
    const obj = BpfObject.open(fixture('map_types.bpf.o'));
    await obj.load();
    const hash = obj.map('mt_hash');
    const path = join(fs.dir, 'mt_hash');
    hash.pin(path);
    obj.pinProgram('mt_switch', join(fs.dir, 'prog'));
    const pinned = BpfMap.openPinned(path);

    unlinkSync(path); // from outside: rm of the pin file
    unlinkSync(join(fs.dir, 'prog'));
    pinned.update(u32le(1), value(11n));
    hash.update(u32le(2), value(22n));
    expect(readU64(hash.lookup(u32le(1))!, 8)).toBe(11n);
    expect(readU64(pinned.lookup(u32le(2))!, 8)).toBe(22n);
    expect((await pinned.lookupBatch()).count).toBe(2);

    for (const e of [thrown(() => pinned.unpin()), thrown(() => hash.unpin()), thrown(() => BpfMap.openPinned(path))]) {
      expect(e).toBeInstanceOf(MapOperationFailed);
      expect((e as MapOperationFailed).errno).toBe(2);
    }
    const prog = thrown(() => obj.unpinProgram('mt_switch'));
    expect(prog).toBeInstanceOf(LoadFailed);
    expect((prog as LoadFailed).message).toContain(join(fs.dir, 'prog'));

    hash.pin(path); // the same kernel map, pinned again
    const again = BpfMap.openPinned(path);
    expect(again.id).toBe(pinned.id);
    expect(readU64(again.lookup(u32le(1))!, 8)).toBe(11n);
    again.close();
    const id = hash.id;
    obj.close();
    pinned.close();
    unlinkSync(path);
    await untilFreed(id);
    expect(mapExists(id)).toBe(false);
  });

  it('the bpffs unmounted under a pinned map: handles keep working, pin operations on it are typed errors naming the path, and the map is freed when the last handle closes', async () => {
    const obj = BpfObject.open(fixture('map_types.bpf.o'));
    await obj.load();
    const hash = obj.map('mt_hash');
    const path = join(fs.dir, 'mt_hash');
    hash.pin(path);
    const pinned = BpfMap.openPinned(path);
    const id = hash.id;

    fs.umount(); // the pins go with the file system; open fds do not
    expect(existsSync(path)).toBe(false);
    pinned.update(u32le(3), value(33n));
    expect(readU64(hash.lookup(u32le(3))!, 8)).toBe(33n);
    expect(mapExists(id)).toBe(true);

    const open = thrown(() => BpfMap.openPinned(path));
    expect(open).toBeInstanceOf(MapOperationFailed);
    expect((open as MapOperationFailed).message).toContain(path);
    const pin = thrown(() => hash.pin(join(fs.dir, 'other')));
    expect(pin).toBeInstanceOf(MapOperationFailed);
    expect((pin as MapOperationFailed).message).toContain(`${join(fs.dir, 'other')} is not on a bpf file system`);
    for (const e of [thrown(() => pinned.unpin()), thrown(() => hash.unpin())]) {
      expect(e).toBeInstanceOf(MapOperationFailed);
      expect((e as MapOperationFailed).errno).toBe(2);
      expect((e as MapOperationFailed).message).toContain(`cannot remove ${path}`);
    }

    obj.close();
    expect(readU64(pinned.lookup(u32le(3))!, 8)).toBe(33n); // the opened pin alone holds it now
    pinned.close();
    await untilFreed(id);
    expect(mapExists(id)).toBe(false);
  });
});
