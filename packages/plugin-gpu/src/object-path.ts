import { fileURLToPath } from 'node:url';

/**
 * Where the plugin's compiled eBPF object is: `bpf/gpu.bpf.o` in the package (this file
 * sits one level below the package root in `src/` and `dist/` alike).
 * @internal
 */
export const GPU_OBJECT_PATH = fileURLToPath(new URL('../bpf/gpu.bpf.o', import.meta.url));
