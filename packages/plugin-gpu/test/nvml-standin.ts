// The stand-in libnvidia-ml.so.1 (stand-ins/nvml-standin.c), compiled by the tests.
import { fileURLToPath } from 'node:url';
import { compileSharedLibrary } from '../../../test/compile-c.js';

const SOURCE = fileURLToPath(new URL('./stand-ins/nvml-standin.c', import.meta.url));

/** Variants of the stand-in (see the comment at the top of nvml-standin.c). */
export type NvmlStandInVariant =
  | 'STANDIN_OMIT_MEMORY_INFO'
  | 'STANDIN_OMIT_PROCESSES_V3'
  | 'STANDIN_FAIL_TEMPERATURE'
  | 'STANDIN_FAIL_HANDLE'
  | `STANDIN_INIT_RETURN=${number}`
  | `STANDIN_DEVICE_COUNT=${0 | 2}`;

/** Builds the stand-in (once per variant set per test process); returns the path of its libnvidia-ml.so.1. */
export function nvmlStandIn(...variants: NvmlStandInVariant[]): string {
  return compileSharedLibrary(SOURCE, 'libnvidia-ml.so.1', variants.map((v) => `-D${v}`));
}
