import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readComm, readCommAgain } from './read-comm.js';

describe('readCommAgain', () => {
  // A proc tree of one process, 300 ("worker"); 400 has no directory (exited).
  const root = mkdtempSync(join(tmpdir(), 'bpfscope-comm-'));
  mkdirSync(join(root, '300'));
  writeFileSync(join(root, '300', 'comm'), 'worker\n');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('gives what readComm gives, whether or not the name was missing last time', () => {
    for (const gone of [false, true]) {
      expect(readCommAgain(root, 300, gone)).toBe('worker');
      expect(readCommAgain(root, 400, gone)).toBe(null);
    }
    expect([readComm(root, 300), readComm(root, 400)]).toEqual(['worker', null]);
  });

  it('reads the name of a pid that is back (taken again) after it was gone', () => {
    mkdirSync(join(root, '400'));
    writeFileSync(join(root, '400', 'comm'), 'reborn\n');
    expect(readCommAgain(root, 400, true)).toBe('reborn');
  });
});
