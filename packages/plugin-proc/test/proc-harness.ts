// What the proc events and tree tests of both source modes share: an engine of the proc
// family in the mode under test, a gated workload, and a cleanup list run after each test.
import { afterEach } from 'vitest';
import { createConsoleLogger, createEngine, type Engine } from '@bpfscope/core';
import { proc } from '../src/plugin.js';
import { gatedTree, type GatedTree } from './gated-tree.js';

/** A poll step, not a deadline: the test's timeout bounds every wait. */
export const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

/** Registers the after-each cleanup; call once at the top of a test file. */
export function procHarness(mode: 'ebpf' | 'fallback'): {
  /** Run after the current test, last pushed first. */
  readonly cleanup: Array<() => Promise<unknown> | void>;
  /** An engine of the proc family in `mode`, closed after the test. */
  engine(): Engine;
  /** A gated workload, killed after the test. */
  workload(): Promise<GatedTree>;
} {
  const cleanup: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  const logger = createConsoleLogger('silent');
  return {
    cleanup,
    engine() {
      const engine = createEngine({ plugins: [proc()], config: { mode, cache: { enabled: false } }, logger });
      cleanup.push(() => engine.close());
      return engine;
    },
    async workload() {
      const w = await gatedTree();
      cleanup.push(() => void w.sh.kill('SIGKILL'));
      return w;
    },
  };
}
