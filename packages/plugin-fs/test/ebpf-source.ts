// The fs eBPF source as the tests make it: the plugin's options over defaults, the engine's
// services (a native object loader, the real /proc and /sys, the system clock) and the side
// reads. Tests of the block part look at devices only: device names come from /proc/diskstats
// here, and mounts are left empty (the package's FsSideReader reads them for the plugin).
import { readFileSync } from 'node:fs';
import { createProcfsReader, systemClock } from '@bpfscope/core';
import { NativeObjectLoader } from '@bpfscope/native';
import { FsEbpfSource } from '../src/ebpf/fs-ebpf-source.js';
import type { FilesReading, FsKernelPart } from '../src/ebpf/kernel-part.js';
import { FS_BLOCK_OBJECT_PATH, FS_FILE_OBJECT_PATH } from '../src/object-path.js';
import { resolveFsOptions, type FsPluginOptions } from '../src/options.js';
import type { FsServices } from '../src/services.js';
import type { FsSideReads } from '../src/side-reads.js';

/** Kernel names of block devices by `major:minor`, from /proc/diskstats. */
export function diskstatsNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of readFileSync('/proc/diskstats', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3) names.set(`${f[0]}:${f[1]}`, f[2]!);
  }
  return names;
}

/** Side reads for tests of the block part: names from /proc/diskstats, no mounts. */
export const testSideReads: FsSideReads = {
  mounts: () => Promise.resolve({ mounts: [], skippedLines: 0, skippedMounts: {}, error: null }),
  deviceNames: () => Promise.resolve(diskstatsNames()),
};

/** The engine's services as the tests give them. */
export function testServices(): FsServices {
  return { loader: new NativeObjectLoader(), procfs: createProcfsReader('/proc', '/sys'), clock: systemClock };
}

/** A new eBPF source of the fs family with `options` (and a file part when given). */
export function fsEbpfSource(options: FsPluginOptions = {}, filePart: FsKernelPart<FilesReading> | null = null, side: FsSideReads = testSideReads): FsEbpfSource {
  const resolved = resolveFsOptions(options, { blockObjectPath: FS_BLOCK_OBJECT_PATH, fileObjectPath: FS_FILE_OBJECT_PATH });
  return new FsEbpfSource(resolved, testServices(), side, filePart);
}
