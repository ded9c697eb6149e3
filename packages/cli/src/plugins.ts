import type { Plugin } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';

/** Families the command knows, with their plugin factories. @internal */
export const FAMILIES: Readonly<Record<string, () => Plugin>> = {
  cpu: () => cpu(),
};
