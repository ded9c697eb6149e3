import { fileURLToPath } from 'node:url';

/**
 * Where the plugin's compiled eBPF object is: `bpf/thermal.bpf.o` in the package. This file
 * sits one level below the package root in every form it runs in (`src/` under the tests,
 * `dist/` as tsc emits it, and `dist/` as the published bundle), so the path holds for all.
 * @internal
 */
export const THERMAL_OBJECT_PATH = fileURLToPath(new URL('../bpf/thermal.bpf.o', import.meta.url));
