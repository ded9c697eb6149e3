import { parseFailure } from '@bpfscope/core';
import type { SyscallCategory } from '../syscall-category.js';
import { syscallCategory, syscallName } from '../syscall-table.js';

/** The task is inside a system call: its number, name and the six argument registers. */
export interface InSyscall {
  /** Discriminant. */
  state: 'in-syscall';
  /** System call number (x86_64). */
  nr: number;
  /** Name from the x86_64 table, or null for a number it does not have. */
  name: string | null;
  /** Category from the table, or null for a number it does not have. */
  category: SyscallCategory | null;
  /** The six argument registers (rdi, rsi, rdx, r10, r8, r9), as unsigned 64-bit values. */
  args: [bigint, bigint, bigint, bigint, bigint, bigint];
  /** User stack pointer. */
  stackPointer: bigint;
  /** User program counter (the instruction after `syscall`). */
  programCounter: bigint;
}

/**
 * What /proc/&lt;pid&gt;/syscall says the task is doing now:
 * - `in-syscall`: blocked (or stopped) inside a system call;
 * - `running`: on a CPU at the moment of the read, so the kernel cannot say;
 * - `not-in-syscall`: blocked outside a system call (`-1 sp pc`: e.g. stopped by a signal
 *   while in user code, or in a page fault);
 * - `no-user-context`: the line reads call 0 with every register 0, which the kernel shows
 *   for kernel threads (they have no user registers); it is not a real `read`.
 */
export type CurrentSyscall = InSyscall | SyscallRunning | NotInSyscall | NoUserContext;

/** The task was on a CPU when the file was read: the kernel cannot say what it is doing. */
export interface SyscallRunning {
  /** Discriminant. */
  state: 'running';
}

/** The task is blocked outside any system call (the file reads `-1 <sp> <pc>`). */
export interface NotInSyscall {
  /** Discriminant. */
  state: 'not-in-syscall';
  /** The negative number the kernel printed (-1). */
  nr: number;
  /** User stack pointer. */
  stackPointer: bigint;
  /** User program counter. */
  programCounter: bigint;
}

/** The task has no user registers (a kernel thread): the file's `0 0x0 … 0x0` is not a real call. */
export interface NoUserContext {
  /** Discriminant. */
  state: 'no-user-context';
}

const HEX = /^0x[0-9a-f]+$/;

/**
 * Parse /proc/&lt;pid&gt;/syscall: `running`, `<nr> <6 args> <sp> <pc>` (9 fields, hex
 * after the number) or `<negative nr> <sp> <pc>` (3 fields).
 * @param text - the file's content (one line)
 * @param path - the file's path, for errors
 * @returns what the task is doing
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line 1 for an empty line, a
 *   number that is not an integer, a field that is not `0x<hex>`, or a wrong field count
 */
export function parsePidSyscall(text: string, path: string): CurrentSyscall {
  const nl = text.indexOf('\n');
  const line = nl < 0 ? text : text.slice(0, nl);
  const fail = (why: string): never => {
    throw parseFailure(path, 1, line, why);
  };
  if (line === 'running') return { state: 'running' };
  const parts = line.split(' ');
  const nrText = parts[0] as string;
  if (!/^-?\d+$/.test(nrText)) fail(`system call number "${nrText.slice(0, 30)}" is not an integer (empty or truncated file?)`);
  const hex = parts.slice(1).map((p, i) => (HEX.test(p) ? BigInt(p) : fail(`field ${i + 2} "${p.slice(0, 30)}" is not 0x<hex>`)));
  const nr = Number(nrText);
  if (nr < 0) {
    if (hex.length !== 2) fail(`${parts.length} fields after a negative number, 3 expected`);
    return { state: 'not-in-syscall', nr, stackPointer: hex[0] as bigint, programCounter: hex[1] as bigint };
  }
  if (hex.length !== 8) fail(`${parts.length} fields, 9 expected (truncated?)`);
  if (hex.every((v) => v === 0n)) return { state: 'no-user-context' };
  const [a0, a1, a2, a3, a4, a5, sp, pc] = hex as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  return { state: 'in-syscall', nr, name: syscallName(nr), category: syscallCategory(nr), args: [a0, a1, a2, a3, a4, a5], stackPointer: sp, programCounter: pc };
}
