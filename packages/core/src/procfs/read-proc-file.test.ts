import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataUnavailable } from '../errors/taxonomy.js';
import { PROC_READ_REASONS, procReadErrorCode, readProcFile } from './read-proc-file.js';

const root = fileURLToPath(new URL('../../test/fixtures/support/root-vm/proc', import.meta.url));
const caught = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('readProcFile', () => {
  it('returns the text of a file under the root', () => {
    expect(readProcFile(root, 'sys/kernel/unprivileged_bpf_disabled')).toBe('2\n');
  });

  it('a missing file → DataUnavailable with the path, code, errno and the generic reason', () => {
    const e = caught(() => readProcFile(root, 'nope'));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect(e).toMatchObject({ what: join(root, 'nope'), reason: PROC_READ_REASONS.ENOENT, errno: 2, details: { path: join(root, 'nope'), code: 'ENOENT' } });
    expect(procReadErrorCode(e)).toBe('ENOENT');
  });

  it('a caller-given reason replaces the generic one for its code', () => {
    expect(caught(() => readProcFile(root, 'nope', { ENOENT: 'PSI needs Linux 4.20' }))).toMatchObject({ reason: 'PSI needs Linux 4.20' });
  });

  it('a file under a file → ENOTDIR, also DataUnavailable', () => {
    expect(procReadErrorCode(caught(() => readProcFile(root, 'mounts/x')))).toBe('ENOTDIR');
  });

  it('a directory where a file was expected (EISDIR) → DataUnavailable', () => {
    const e = caught(() => readProcFile(root, 'sys'));
    expect(e).toBeInstanceOf(DataUnavailable);
    expect(e).toMatchObject({ reason: PROC_READ_REASONS.EISDIR, errno: 21, details: { code: 'EISDIR' } });
  });

  it('an error that is not about missing data (ELOOP, a symlink to itself) is rethrown as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-proc-'));
    try {
      symlinkSync('loop', join(dir, 'loop'));
      const e = caught(() => readProcFile(dir, 'loop'));
      expect(e).not.toBeInstanceOf(DataUnavailable);
      expect(e).toMatchObject({ code: 'ELOOP' });
      expect(procReadErrorCode(e)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
