import { ConfigError } from '@bpfscope/core';
import { loadNative } from './loader.js';

/** glibc's default mmap threshold, 128 KiB. */
const GLIBC_DEFAULT = 128 * 1024;
/** The largest threshold glibc takes on 64-bit (HEAP_MAX_SIZE / 2). */
const GLIBC_MAX = 32 * 1024 * 1024;

/**
 * Pins the C allocator's mmap threshold of this process (glibc's
 * `mallopt(M_MMAP_THRESHOLD)`), for a process whose job is collecting.
 *
 * libbpf parses the kernel's BTF (about 5 MB) when it loads an object and frees it
 * again. Freeing a block that large raises glibc's dynamic mmap threshold to its size,
 * and the trim threshold to twice that, for the rest of the process: medium-sized
 * blocks freed later (V8's compiler zones, buffers) then stay in the allocator's arenas,
 * tens of MB over a few threads. Pinning the threshold keeps such blocks mapped on
 * their own and returned when freed. The `bpfscope` command calls this at start; see
 * docs/memory.md for the numbers.
 *
 * This changes the allocator of the whole process, which is the application's choice:
 * a library embedded in an application should not call it on the application's behalf.
 * Call it before loading objects. Child processes are not affected.
 *
 * @param bytes - the threshold, at most 32 MiB. @default 131072 (glibc's default)
 * @returns true when glibc took the setting; false on a C library other than glibc
 * @throws {@link @bpfscope/core!ConfigError} for a size that is not an integer from 0 to 32 MiB
 * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
 * @example
 * ```ts
 * import { pinMallocMmapThreshold } from '@bpfscope/native';
 * pinMallocMmapThreshold(); // first thing in a dedicated collector process
 * ```
 */
export function pinMallocMmapThreshold(bytes: number = GLIBC_DEFAULT): boolean {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > GLIBC_MAX) {
    throw new ConfigError('bytes', bytes, `an integer number of bytes from 0 to ${GLIBC_MAX} (glibc's limit)`);
  }
  return loadNative().pinMmapThreshold(bytes);
}
