import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed, parsePidIo } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';

const parseFile = (rel: string) => {
  const path = fixture(rel);
  return parsePidIo(readFileSync(path, 'utf8'), path);
};

describe('parsePidIo', () => {
  it('the shell that ran the capture', () => {
    expect(parseFile('vm-6.18/proc/1812/io')).toEqual({
      rchar: 95191756, wchar: 168691710, syscr: 36054, syscw: 26230, readBytes: 5505024, writeBytes: 192536576, cancelledWriteBytes: 89243648,
    });
  });

  it('kthreadd: all zeros', () => {
    expect(parseFile('vm-6.18/proc/2/io')).toEqual({ rchar: 0, wchar: 0, syscr: 0, syscw: 0, readBytes: 0, writeBytes: 0, cancelledWriteBytes: 0 });
  });

  it('malformed/io-truncated → EventProcessingFailed: no read_bytes line', () => {
    const path = fixture('malformed/io-truncated/proc/4367/io');
    const e = caught(() => parsePidIo(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ details: { path, line: 5 } });
    expect((e as Error).message).toBe(`${path} line 5: no read_bytes line (truncated file?)`);
  });

  it.each([['rchar: 1\nwchar 2\n', 2], ['rchar: -1\n', 1], ['rchar: 1x\n', 1]])('rejects %j at line %i', (text, line) => {
    expect(caught(() => parsePidIo(text, 'p'))).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line } });
  });
});
