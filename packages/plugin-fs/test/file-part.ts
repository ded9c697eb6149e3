// The file part as the tests make it: the plugin's options over defaults, and the engine's
// services (a native object loader, the real /proc and /sys, the system clock).
import { createConsoleLogger, createProcfsReader, systemClock, validateConfig, type SourceContext } from '@bpfscope/core';
import { NativeObjectLoader } from '@bpfscope/native';
import { FilePart } from '../src/ebpf/files/file-part.js';
import { FS_BLOCK_OBJECT_PATH, FS_FILE_OBJECT_PATH } from '../src/object-path.js';
import { resolveFsOptions, type FsPluginOptions } from '../src/options.js';

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
