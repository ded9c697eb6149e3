// The fs eBPF source as the tests make it: the plugin's options over defaults, the engine's
// services (a native object loader, the real /proc and /sys, the system clock) and the
// package's side reads (mounts, device names), as the plugin wires them.
import { createProcfsReader, systemClock } from '@bpfscope/core';
import { NativeObjectLoader } from '@bpfscope/native';
import { FsEbpfSource } from '../src/ebpf/fs-ebpf-source.js';
import type { FilesReading, FsKernelPart } from '../src/ebpf/kernel-part.js';
import { FS_BLOCK_OBJECT_PATH, FS_FILE_OBJECT_PATH } from '../src/object-path.js';
import { resolveFsOptions, type FsPluginOptions } from '../src/options.js';
import type { FsServices } from '../src/services.js';
import { FsSideReader } from '../src/procfs/fs-side-reader.js';

/** The engine's services as the tests give them. */
export function testServices(): FsServices {
  return { loader: new NativeObjectLoader(), procfs: createProcfsReader('/proc', '/sys'), clock: systemClock };
}

/** A new eBPF source of the fs family with `options` (and a file part when given). */
export function fsEbpfSource(options: FsPluginOptions = {}, filePart: FsKernelPart<FilesReading> | null = null): FsEbpfSource {
  const resolved = resolveFsOptions(options, { blockObjectPath: FS_BLOCK_OBJECT_PATH, fileObjectPath: FS_FILE_OBJECT_PATH });
  const services = testServices();
  return new FsEbpfSource(resolved, services, new FsSideReader(services.procfs, resolved), filePart);
}
