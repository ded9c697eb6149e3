import { fileURLToPath } from 'node:url';

// These paths hold in every form the package runs in: this file sits one level below the
// package root (`src/` under the tests, `dist/` as tsc emits it and as the published bundle).

/** Where the block-device part's compiled eBPF object is: `bpf/fs_block.bpf.o` in the package. @internal */
export const FS_BLOCK_OBJECT_PATH = fileURLToPath(new URL('../bpf/fs_block.bpf.o', import.meta.url));

/** Where the file part's compiled eBPF object is: `bpf/fs_file.bpf.o` in the package. @internal */
export const FS_FILE_OBJECT_PATH = fileURLToPath(new URL('../bpf/fs_file.bpf.o', import.meta.url));
