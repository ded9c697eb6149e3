import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseIoSyscallCounts } from './parse-io-syscalls.js';

const parseFile = (rel: string) => {
  const path = fixture(rel);
  return parseIoSyscallCounts(readFileSync(path, 'utf8'), path);
};

describe('parseIoSyscallCounts', () => {
  it.each([
    ['1812', { readCalls: 36054, writeCalls: 26230 }],
    ['4367', { readCalls: 10, writeCalls: 0 }],
    ['2', { readCalls: 0, writeCalls: 0 }],
  ])('vm-6.18 PID %s', (pid, expected) => {
    expect(parseFile(`vm-6.18/proc/${pid}/io`)).toEqual(expected);
  });

  it('malformed/io-no-syscw → EventProcessingFailed one past the last line', () => {
    const path = fixture('malformed/io-no-syscw/proc/4367/io');
    const e = caught(() => parseIoSyscallCounts(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect((e as Error).message).toBe(`${path} line 7: no syscw line (truncated file?)`);
  });

  it.each([['syscw: 1\n', 'no syscr'], ['syscr: 1\nsyscw: x\n', 'not a "key: <integer>" line']])('rejects %j', (text, why) => {
    expect((caught(() => parseIoSyscallCounts(text, 'p')) as Error).message).toContain(why);
  });
});
