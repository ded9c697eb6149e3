// The file part as the tests make it: the plugin's options over defaults, and the engine's
// services (a native object loader, the real /proc and /sys, the system clock).
import { createConsoleLogger, createProcfsReader, systemClock, validateConfig, type SourceContext } from '@bpfscope/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeObjectLoader } from '@bpfscope/native';
import { afterAll, beforeAll } from 'vitest';
import { FilePart } from '../src/ebpf/files/file-part.js';
import { FS_BLOCK_OBJECT_PATH, FS_FILE_OBJECT_PATH } from '../src/object-path.js';
import { resolveFsOptions, type FsPluginOptions } from '../src/options.js';
import { removeFileWorkBinary, startFileWork, type FileWorkload } from './file-workload.js';

/** A new file part with `options`. */
export function filePart(options: FsPluginOptions = {}, programs: 'auto' | 'probe-read' = 'auto'): FilePart {
  // The part counts processes unless a test says otherwise (the plugin's default is off).
  const resolved = resolveFsOptions({ processes: true, ...options }, { blockObjectPath: FS_BLOCK_OBJECT_PATH, fileObjectPath: FS_FILE_OBJECT_PATH });
  return new FilePart(resolved, { loader: new NativeObjectLoader(), procfs: createProcfsReader('/proc', '/sys'), clock: systemClock }, programs);
}

/** A context for init. */
export function initContext(): SourceContext {
  return { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
}

/** What {@link useFilePart} needs of a describe block's state. */
export interface FilePartHooks {
  /** The workloads the block starts: killed after its tests. */
  children: FileWorkload[];
  /** The part to start over the block's directory (after the workload is compiled), or none when the tests make their own. */
  make?: (dir: string) => FilePart;
  /** Receives the directory and the part started. */
  set: (dir: string, part: FilePart | null) => void;
  /** The block's part at the end, closed after its tests. */
  part: () => FilePart | undefined;
}

/**
 * Registers a describe block's setup and teardown for the file part's real tests: a temp
 * directory, the workload binary compiled by a first run (so the compiler's files are not
 * among those tracked), then the part started; afterwards the workloads killed, the part
 * closed, the directory and the binary removed.
 */
export function useFilePart(hooks: FilePartHooks): void {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-fsf-'));
    await (await startFileWork({ path: join(dir, 'warm'), k: 1, w: 1, j: 1, r: 1, name: 'fsf-warm' })).kill();
    const part = hooks.make ? hooks.make(dir) : null;
    hooks.set(dir, part);
    await part?.init(initContext());
  });
  afterAll(async () => {
    await Promise.all(hooks.children.map((c) => c.kill()));
    await hooks.part()?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    removeFileWorkBinary();
  });
}
