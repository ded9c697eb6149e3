// What the proc events and tree tests of both source modes share: an engine of the proc
// family in the mode under test, a gated workload, and a cleanup list run after each test.
import { afterEach, expect } from 'vitest';
import { createConsoleLogger, createEngine, type Engine } from '@bpfscope/core';
import { proc } from '../src/plugin.js';
import type { ProcessTree } from '../src/tree/process-tree.js';
import { openProcessTree } from '../src/tree/tree-api.js';
import { gatedTree, realDescendants, type GatedTree } from './gated-tree.js';

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
  /**
   * A process tree through `engine` over a workload of 4 processes before the tree opens and
   * 7 forked after: checks it equals the real tree (pids and ppids, 4 from the first state,
   * 7 spawned) and that every process's exit is seen; returns it for the mode's own checks.
   */
  treeEqualsRealTree(engine: Engine, rescanIntervalMs?: number): Promise<ProcessTree>;
} {
  const cleanup: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });
  const logger = createConsoleLogger('silent');
  const workload = async (): Promise<GatedTree> => {
    const w = await gatedTree();
    cleanup.push(() => void w.sh.kill('SIGKILL'));
    return w;
  };
  return {
    cleanup,
    engine() {
      const engine = createEngine({ plugins: [proc()], config: { mode, cache: { enabled: false } }, logger });
      cleanup.push(() => engine.close());
      return engine;
    },
    workload,
    async treeEqualsRealTree(engine, rescanIntervalMs) {
      const w = await workload();
      await w.step('nest', 2);
      while (realDescendants(w.pid).length < 4) await tick();
      const tree = await openProcessTree({ engine, rootParent: w.pid, ...(rescanIntervalMs === undefined ? {} : { rescanIntervalMs }) });
      cleanup.push(() => tree.close());
      await w.step('nest', 2);
      await w.step('flat', 3);
      while (realDescendants(w.pid).length < 11) await tick();
      const real = realDescendants(w.pid);
      while (tree.descendants(w.pid).length < 11) await tick();
      expect(tree.descendants(w.pid).map((n) => `${n.pid}<-${n.ppid}`).sort()).toEqual(real);
      expect(tree.descendants(w.pid).filter((n) => n.origin === 'snapshot')).toHaveLength(4);
      expect(tree.summary().spawned).toBe(7);
      w.release(11);
      expect(await w.finish()).toBe(0);
      for (const r of real) await tree.waitForExit(Number(r.split('<-')[0]));
      expect(tree.live()).toEqual([]);
      return tree;
    },
  };
}
