import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parsePidSyscall } from './parse-pid-syscall.js';

const parseFile = (rel: string) => {
  const path = fixture(rel);
  return parsePidSyscall(readFileSync(path, 'utf8'), path);
};

describe('parsePidSyscall on the vm-6.18 captures', () => {
  it('sleep in clock_nanosleep (230)', () => {
    expect(parseFile('vm-6.18/proc/4367/syscall')).toEqual({
      state: 'in-syscall', nr: 230, name: 'clock_nanosleep', category: 'time',
      args: [0n, 0n, 0x7fff2a049f40n, 0x7fff2a049f80n, 0n, 0n], stackPointer: 0x7fff2a049f28n, programCounter: 0x7f8f1299d503n,
    });
  });

  it('bash in pselect6 (270) on 251 descriptors', () => {
    expect(parseFile('vm-6.18/proc/1812/syscall')).toMatchObject({ state: 'in-syscall', nr: 270, name: 'pselect6', category: 'file_io', args: [0xfbn, 0x7ffc67dcb230n, 0n, 0n, 0x7ffc67dcb140n, 0x7ffc67dcb150n] });
  });

  it('a busy loop on a CPU: running', () => {
    expect(parseFile('vm-6.18/proc/4369/syscall')).toEqual({ state: 'running' });
  });

  it('the stopped busy loop: -1, outside any system call', () => {
    expect(parseFile('vm-6.18/proc/4370/syscall')).toEqual({ state: 'not-in-syscall', nr: -1, stackPointer: 0x7ffe6bcab8b8n, programCounter: 0x55ea654d1830n });
  });

  it('kthreadd: all zeros means no user context, not a read(0)', () => {
    expect(parseFile('vm-6.18/proc/2/syscall')).toEqual({ state: 'no-user-context' });
  });

  it('a number the table does not have keeps its number, with null name and category', () => {
    expect(parsePidSyscall('999 0x1 0x0 0x0 0x0 0x0 0x0 0x7ff0 0x4000\n', 'p')).toMatchObject({ state: 'in-syscall', nr: 999, name: null, category: null, args: [1n, 0n, 0n, 0n, 0n, 0n] });
  });
});

describe('parsePidSyscall on malformed input', () => {
  it.each([
    ['syscall-truncated', '5 fields, 9 expected (truncated?)'],
    ['syscall-not-hex', 'field 3 "0xzz" is not 0x<hex>'],
  ])('malformed/%s → EventProcessingFailed naming the file and line 1', (tree, why) => {
    const path = fixture(`malformed/${tree}/proc/4367/syscall`);
    const e = caught(() => parsePidSyscall(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ details: { path, line: 1 } });
    expect((e as Error).message).toBe(`${path} line 1: ${why}`);
  });

  it.each([['', 'is not an integer'], ['-1 0x1\n', '2 fields after a negative number'], ['runing\n', 'is not an integer'], ['12 0x1 0x2 0x3 0x4 0x5 0x6 0x7 0x8 0x9', '10 fields']])('rejects %j', (text, why) => {
    const e = caught(() => parsePidSyscall(text, 'p'));
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line: 1 } });
    expect((e as Error).message).toContain(why);
  });
});
