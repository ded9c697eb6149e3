// The setup two block tests share: a loop device with ext4 holding one N-MiB file written
// before the test (so later writes over it allocate nothing), and the eBPF source started
// with every device listed; both removed after.
import { afterAll, beforeAll } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import type { FsEbpfSource } from '../src/ebpf/fs-ebpf-source.js';
import { fsEbpfSource } from './ebpf-source.js';
import { createLoop, dd, type LoopDevice } from './loop-device.js';

// The source's init context: default config, silent.
const LOOP_CONTEXT: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };

/**
 * Register the describe block's setup: call it inside `describeKernel`.
 * @param mib - size of the file written before the test
 * @returns the loop device and the source, once `beforeAll` has run
 */
export function useLoopSource(mib: number): { loop: () => LoopDevice; source: () => FsEbpfSource } {
  let loop: LoopDevice | null = null;
  let source: FsEbpfSource | null = null;
  beforeAll(async () => {
    loop = createLoop(64, true);
    await dd(['if=/dev/zero', `of=${loop.mountPoint}/data`, 'bs=1M', `count=${mib}`, 'conv=fsync']);
    source = fsEbpfSource({ topK: 1_000_000 });
    await source.init(LOOP_CONTEXT);
  });
  afterAll(async () => {
    await source?.close();
    loop?.remove();
  });
  return { loop: () => loop!, source: () => source! };
}
