import { createEngine, snapshotJsonReplacer, type Snapshot } from '@bpfscope/core';
import { EXIT, type CliIo } from '../io.js';
import { FAMILIES } from '../plugins.js';
import { useColour } from '../colour.js';
import { formatSnapshot } from './format-snapshot.js';

/** Options of `bpfscope snapshot`. @internal */
export interface SnapshotOptions {
  json: boolean;
  families: string[];
  mode: 'auto' | 'ebpf' | 'fallback';
  intervalMs: number | null;
  includeSelf: boolean;
  /** Where sysfs is read (`--sys-root`): the engine's `config.sysRoot`. */
  sysRoot: string;
}

/** `bpfscope snapshot`: one reading, or two `intervalMs` apart. @internal */
export async function snapshot(options: SnapshotOptions, io: CliIo): Promise<number> {
  const engine = createEngine({
    plugins: options.families.map((f) => FAMILIES[f]!({ includeSelf: options.includeSelf })),
    // A person waits for the command: a procfs scan of a very large process table may take seconds.
    config: { mode: options.mode, sysRoot: options.sysRoot, cache: { enabled: false }, logLevel: 'silent', operationTimeoutMs: 10_000 },
  });
  try {
    // Strict mode (`--mode ebpf`) fails here, loudly, with the eBPF source's error.
    await engine.start();
    let snap: Snapshot = await engine.collect();
    if (options.intervalMs !== null) {
      await new Promise((r) => setTimeout(r, options.intervalMs!));
      snap = await engine.collect();
    }
    io.stdout.write(options.json ? `${JSON.stringify(snap.toJSON(), snapshotJsonReplacer)}\n` : formatSnapshot(snap, { colour: useColour(io.stdout), includeSelf: options.includeSelf, interval: options.intervalMs !== null }));
    return snap.errors.length > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await engine.close();
  }
}
