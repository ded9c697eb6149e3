import { cpus as osCpus } from 'node:os';
import { expect, it } from 'vitest';
import { AttachFailed } from '@bpfscope/core';
import { checkUprobeTarget, onlineCpus, uprobeError } from './attach-targets.js';
import type { UprobeTarget } from './object-types.js';

const BIN = process.execPath;

function refusal(target: unknown): AttachFailed {
  try {
    checkUprobeTarget('p_entry', target as UprobeTarget);
  } catch (e) {
    expect(e).toBeInstanceOf(AttachFailed);
    return e as AttachFailed;
  }
  throw new Error('expected AttachFailed');
}

it('checkUprobeTarget: by name or by offset, with the attach point the link reports', () => {
  expect(checkUprobeTarget('p_entry', { binaryPath: BIN, functionName: 'main' })).toEqual({
    binaryPath: BIN, functionName: 'main', offset: 0, pid: -1, retprobe: false, point: `uprobe:${BIN}:main`,
  });
  expect(checkUprobeTarget('p_ret', { binaryPath: BIN, offset: 0x11a0, pid: 7, retprobe: true })).toEqual({
    binaryPath: BIN, functionName: '', offset: 0x11a0, pid: 7, retprobe: true, point: `uretprobe:${BIN}+0x11a0`,
  });
  // A bare library name is left to libbpf's library-path lookup.
  expect(checkUprobeTarget('p_entry', { binaryPath: 'libc.so.6', functionName: 'getpid' }).binaryPath).toBe('libc.so.6');
});

it('checkUprobeTarget: refuses malformed targets with AttachFailed naming program and target', () => {
  expect(refusal({ binaryPath: BIN }).message).toMatch(/exactly one of functionName and offset/);
  expect(refusal({ binaryPath: BIN, functionName: 'main', offset: 8 }).message).toMatch(/exactly one/);
  expect(refusal({ binaryPath: BIN, functionName: '' }).message).toMatch(/functionName must be a non-empty string/);
  expect(refusal({ binaryPath: BIN, offset: 0 }).message).toMatch(/offset must be a positive integer/);
  expect(refusal({ binaryPath: BIN, offset: 1.5 }).message).toMatch(/offset must be a positive integer/);
  expect(refusal({ binaryPath: BIN, functionName: 'main', pid: 1.5 }).message).toMatch(/pid must be an integer >= -1/);
  expect(refusal({ binaryPath: BIN, functionName: 'main', retprobe: 'yes' }).message).toMatch(/retprobe must be a boolean/);
  expect(refusal({ binaryPath: 42, functionName: 'main' }).message).toMatch(/binaryPath must be a non-empty string/);
  const missing = refusal({ binaryPath: '/nonexistent/bin', functionName: 'main' });
  expect(missing.program).toBe('p_entry');
  expect(missing.attachPoint).toBe('uprobe:/nonexistent/bin:main');
  expect(missing.errno).toBe(2);
  expect(missing.message).toMatch(/binary \/nonexistent\/bin does not exist/);
  expect(refusal({ binaryPath: '/', functionName: 'main' }).message).toMatch(/not a regular file/);
});

it('uprobeError: turns libbpf ENOENT reports into errors that name the binary and the symbol; leaves others alone', () => {
  const target = checkUprobeTarget('p_entry', { binaryPath: BIN, functionName: 'nope' });
  const raw = (log: string, errno = 2): AttachFailed =>
    new AttachFailed('p_entry', target.point, 'cannot attach', { errno, op: 'bpf_program__attach_uprobe_opts', details: { log } });
  const symbol = uprobeError(raw(`libbpf: elf: failed to find symbol 'nope' in '${BIN}'`), 'p_entry', target) as AttachFailed;
  expect(symbol.message).toContain(`${BIN} has no function nope in its symbol tables (cannot attach)`);
  expect(symbol.remedy).toContain(`nm -D --defined-only ${BIN}`);
  expect(symbol.details).toMatchObject({ binaryPath: BIN, functionName: 'nope' });
  const bare = checkUprobeTarget('p_entry', { binaryPath: 'libx.so', functionName: 'f' });
  const notFound = uprobeError(raw("libbpf: failed to resolve full path for 'libx.so': -2"), 'p_entry', bare);
  expect(notFound.message).toContain('binary libx.so was not found on the library path');
  const other = raw('libbpf: something else', 22);
  expect(uprobeError(other, 'p_entry', target)).toBe(other);
  const otherEnoent = raw('libbpf: something else');
  expect(uprobeError(otherEnoent, 'p_entry', target)).toBe(otherEnoent);
});

it('onlineCpus: the CPUs of /sys/devices/system/cpu/online, in order', () => {
  const cpus = onlineCpus();
  expect(cpus.length).toBe(osCpus().length); // libuv lists the online CPUs from /proc/stat
  expect(cpus).toEqual([...cpus].sort((a, b) => a - b));
  expect(new Set(cpus).size).toBe(cpus.length);
});
