import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { DEFAULT_HEADER, categoryIndex, generateSyscallTable, parseUnistd } from '../../../scripts/gen-syscall-table.mjs';
import { SYSCALL_CATEGORY_NAMES } from './syscall-category.js';
import { SYSCALL_TABLE_SOURCE, X86_64_SYSCALLS } from './syscall-table.generated.js';
import { syscallCategory, syscallName, syscallNumber } from './syscall-table.js';

const GENERATED = fileURLToPath(new URL('./syscall-table.generated.ts', import.meta.url));
const headerExists = existsSync(DEFAULT_HEADER);

describe('the generated x86_64 syscall table', () => {
  it.runIf(headerExists)('matches a fresh generation from the installed header (the recorded package version and date kept)', () => {
    // Debian's point releases bump linux-libc-dev's version without touching the syscall
    // numbers: the table must match; the provenance lines are those of the generation.
    const date = /^\/\/ Generated on (\d{4}-\d{2}-\d{2})\.$/m.exec(readFileSync(GENERATED, 'utf8'))?.[1];
    const owner = execFileSync('dpkg-query', ['-S', DEFAULT_HEADER], { encoding: 'utf8' }).split(':')[0]?.trim() as string;
    expect(owner).toBe(SYSCALL_TABLE_SOURCE.package);
    const fresh = generateSyscallTable({ headerText: readFileSync(DEFAULT_HEADER, 'utf8'), headerPath: DEFAULT_HEADER, pkg: { name: owner, version: SYSCALL_TABLE_SOURCE.version }, date });
    expect(readFileSync(GENERATED, 'utf8')).toBe(fresh);
  });

  it.runIf(headerExists)('every hand-categorised name is in the header (no typos)', () => {
    const names = new Set((parseUnistd(readFileSync(DEFAULT_HEADER, 'utf8')) as Array<[number, string]>).map(([, n]) => n));
    expect([...(categoryIndex() as Map<string, string>).keys()].filter((n) => !names.has(n))).toEqual([]);
  });

  it('known numbers: read=0, write=1, getppid=110, openat=257', () => {
    expect([syscallName(0), syscallName(1), syscallName(110), syscallName(257)]).toEqual(['read', 'write', 'getppid', 'openat']);
    expect([syscallNumber('read'), syscallNumber('write'), syscallNumber('getppid'), syscallNumber('openat')]).toEqual([0, 1, 110, 257]);
    expect(syscallNumber('clock_nanosleep')).toBe(230);
  });

  it('categories by number and by name; unknown calls give null', () => {
    expect(syscallCategory('openat')).toBe('file_io');
    expect(syscallCategory(257)).toBe('file_io');
    expect(syscallCategory('connect')).toBe('network');
    expect(syscallCategory('mmap')).toBe('memory');
    expect(syscallCategory('getppid')).toBe('process');
    expect(syscallCategory('clock_nanosleep')).toBe('time');
    expect(syscallCategory('futex')).toBe('ipc');
    expect(syscallCategory('rt_sigaction')).toBe('signal');
    expect(syscallCategory('bpf')).toBe('other');
    expect(syscallCategory(100_000)).toBeNull();
    expect(syscallName(100_000)).toBeNull();
    expect(syscallNumber('no_such_call')).toBeNull();
  });

  it('is sorted by number, without duplicates, every row with a valid category; names the header package', () => {
    const nrs = X86_64_SYSCALLS.map(([nr]) => nr);
    expect(nrs).toEqual([...nrs].sort((a, b) => a - b));
    expect(new Set(nrs).size).toBe(nrs.length);
    expect(new Set(X86_64_SYSCALLS.map(([, name]) => name)).size).toBe(nrs.length);
    for (const [, , category] of X86_64_SYSCALLS) expect(SYSCALL_CATEGORY_NAMES).toContain(category);
    expect(SYSCALL_TABLE_SOURCE).toMatchObject({ header: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h', package: 'linux-libc-dev' });
  });
});

describe('the generator', () => {
  it('parses #define lines and rejects a malformed one or a duplicate number', () => {
    expect(parseUnistd('#ifndef X\n#define __NR_read 0\n#define __NR_write 1\n')).toEqual([[0, 'read'], [1, 'write']]);
    expect(() => parseUnistd('#define __NR_read zero\n', 'h')).toThrow('h line 1: not "#define __NR_<name> <number>"');
    expect(() => parseUnistd('#define __NR_a 0\n#define __NR_b 0\n', 'h')).toThrow('h line 2: number 0 is both a and b');
    expect(() => parseUnistd('', 'h')).toThrow('h: no "#define');
  });

  it('refuses a name listed in two categories', () => {
    expect(() => categoryIndex({ file_io: ['read'], ipc: ['read'] })).toThrow('read is in both file_io and ipc');
  });
});
