import type { SyscallCategory } from './syscall-category.js';
import { X86_64_SYSCALLS } from './syscall-table.generated.js';

const BY_NR = new Map<number, { name: string; category: SyscallCategory }>(X86_64_SYSCALLS.map(([nr, name, category]) => [nr, { name, category }]));
const BY_NAME = new Map<string, { nr: number; category: SyscallCategory }>(X86_64_SYSCALLS.map(([nr, name, category]) => [name, { nr, category }]));

/**
 * The name of an x86_64 system call.
 * @param nr - the system call number, e.g. 257
 * @returns the name (`openat`), or null for a number the table does not have (newer than its header, or not a call)
 */
export function syscallName(nr: number): string | null {
  return BY_NR.get(nr)?.name ?? null;
}

/**
 * The number of an x86_64 system call.
 * @param name - the name without `__NR_`, e.g. `openat`
 * @returns the number (257), or null for a name the table does not have
 */
export function syscallNumber(name: string): number | null {
  return BY_NAME.get(name)?.nr ?? null;
}

/**
 * The category of an x86_64 system call, by number or name.
 * @param call - number or name
 * @returns the category, or null when the table does not have the call
 */
export function syscallCategory(call: number | string): SyscallCategory | null {
  return (typeof call === 'number' ? BY_NR.get(call) : BY_NAME.get(call))?.category ?? null;
}
