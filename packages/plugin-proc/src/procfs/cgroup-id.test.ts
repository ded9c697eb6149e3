import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CgroupIdResolver } from './cgroup-id.js';

describe('CgroupIdResolver', () => {
  let root: string | null = null;
  afterEach(() => {
    if (root !== null) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  it('looks an ID up once, and anew after forget(): a cgroup made again under the same path has a new ID', () => {
    root = mkdtempSync(join(tmpdir(), 'bpfscope-cgid-'));
    const v2 = join(root, 'fs/cgroup');
    mkdirSync(join(v2, 'x'), { recursive: true });
    writeFileSync(join(v2, 'cgroup.controllers'), '');
    const r = new CgroupIdResolver(root);
    const first = Number(statSync(join(v2, 'x')).ino);
    expect(r.resolve('/x')).toEqual({ id: first, reason: null });
    // The old directory stays (moved aside), so the new one cannot get its inode number.
    renameSync(join(v2, 'x'), join(v2, 'old'));
    mkdirSync(join(v2, 'x'));
    const second = Number(statSync(join(v2, 'x')).ino);
    expect(second).not.toBe(first);
    expect(r.resolve('/x').id).toBe(first);
    r.forget();
    expect(r.resolve('/x')).toEqual({ id: second, reason: null });
  });
});
