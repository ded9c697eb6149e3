import type { Plugin } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { syscall } from '@bpfscope/plugin-syscall';

/** Families the command knows, with their plugin factories. @internal */
export const FAMILIES: Readonly<Record<string, () => Plugin>> = {
  cpu: () => cpu(),
  syscall: () => syscall(),
};
