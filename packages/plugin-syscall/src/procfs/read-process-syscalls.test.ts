import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { PROCFS_SYSCALL_UNAVAILABLE, readProcessSyscalls } from './read-process-syscalls.js';

const proc = fixture('vm-6.18/proc');

describe('readProcessSyscalls on the vm-6.18 capture', () => {
  it('counts and the current call; the per-call figures are unavailable with the reason, never estimated', () => {
    expect(readProcessSyscalls(proc, 4367)).toEqual({
      status: 'ok',
      record: {
        pid: 4367, readCalls: 10, writeCalls: 0,
        current: { state: 'in-syscall', nr: 230, name: 'clock_nanosleep', category: 'time', args: [0n, 0n, 0x7fff2a049f40n, 0x7fff2a049f80n, 0n, 0n], stackPointer: 0x7fff2a049f28n, programCounter: 0x7f8f1299d503n },
        callsBySyscall: null, errorsBySyscall: null,
        unavailable: { ...PROCFS_SYSCALL_UNAVAILABLE },
      },
    });
  });

  it('a PID that is not there → vanished', () => {
    expect(readProcessSyscalls(proc, 1)).toEqual({ status: 'vanished', pid: 1, file: join(proc, '1/io') });
  });

  it('a malformed file → EventProcessingFailed', () => {
    expect(caught(() => readProcessSyscalls(fixture('malformed/syscall-not-hex/proc'), 4367))).toBeInstanceOf(EventProcessingFailed);
  });
});
