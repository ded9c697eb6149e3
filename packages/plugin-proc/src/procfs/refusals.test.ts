// A process's optional files refused for permission are not asked again at every reading:
// the refusal stands for the same process (PID and start) until its time passes.
import { DataUnavailable, type KeptFiles } from '@bpfscope/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixture-helpers.js';
import { readContext, readProcessWith } from './read-process.js';
import { Refusals } from './refusals.js';

const root = fixture('vm-6.18/proc');

/** A files reader over the fixture that refuses `<pid>/io` with EACCES while `refuse` is set, and counts the reads of each file. */
function refusingFiles(): { files: KeptFiles; reads: Map<string, number>; refuse: { on: boolean } } {
  const reads = new Map<string, number>();
  const refuse = { on: true };
  const files = {
    read(rel: string): string {
      reads.set(rel, (reads.get(rel) ?? 0) + 1);
      const path = join(root, rel);
      if (rel.endsWith('/io')) {
        if (refuse.on) throw new DataUnavailable(path, 'it cannot be read (EACCES)', { details: { path, code: 'EACCES' } });
        return 'rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 0\n';
      }
      return readFileSync(path, 'utf8');
    },
  } as unknown as KeptFiles;
  return { files, reads, refuse };
}

describe('Refusals', () => {
  it('stands for the same process until ttlMs passes; another start asks again; sweep forgets what no longer stands', () => {
    let now = 0;
    const r = new Refusals(1_000, () => now);
    r.set(7, 100, 'io', 'refused');
    expect(r.get(7, 100, 'io')).toBe('refused');
    expect(r.get(7, 100, 'ns/mnt')).toBeNull();
    expect(r.get(7, 101, 'io')).toBeNull(); // a new process under PID 7: asked again, and forgotten
    expect(r.size).toBe(0);
    r.set(7, 100, 'io', 'refused');
    now = 999;
    expect(r.get(7, 100, 'io')).toBe('refused');
    r.sweep();
    expect(r.size).toBe(1);
    now = 1_000;
    r.sweep();
    expect(r.size).toBe(0);
    expect(r.get(7, 100, 'io')).toBeNull();
  });

  it('readProcessWith: a refused io is not read again while the refusal stands, with the same reason; once it passes, the file is read and counts', () => {
    let now = 0;
    const { files, reads, refuse } = refusingFiles();
    const refusals = new Refusals(30_000, () => now);
    const ctx = { ...readContext(root, { bootTime: null }), files, refusals };
    const read = () => {
      const r = readProcessWith(root, 1, ctx);
      if (r.status !== 'ok') throw new Error('pid 1 of the fixture vanished');
      return r.record;
    };
    const first = read();
    expect(first.io).toBeNull();
    expect(first.unavailable.io).toMatch(/EACCES/);
    expect(reads.get('1/io')).toBe(1);
    const second = read();
    expect(reads.get('1/io')).toBe(1); // not asked again
    expect(reads.get('1/stat')).toBe(2); // the rest is read as always
    expect(second.unavailable.io).toBe(first.unavailable.io);
    // The permission changes: within the refusal's time the field stays unavailable; after it, it is read.
    refuse.on = false;
    now = 29_999;
    expect(read().io).toBeNull();
    now = 30_000;
    const later = read();
    expect(reads.get('1/io')).toBe(2);
    expect(later.io?.readBytes).toBe(5);
    expect(later.unavailable.io).toBeUndefined();
  });

  it('without refusals every read asks again', () => {
    const { files, reads } = refusingFiles();
    const ctx = { ...readContext(root, { bootTime: null }), files };
    readProcessWith(root, 1, ctx);
    readProcessWith(root, 1, ctx);
    expect(reads.get('1/io')).toBe(2);
  });
});
