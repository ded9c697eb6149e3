// The procfs fallback of the process tree, on the fixture trees: the first scan gives
// the tree; later scans of a changed copy give fork and exit events.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, createEngine } from '@bpfscope/core';
import { proc } from '../plugin.js';
import { fixture } from '../../test/fixture-helpers.js';
import type { ProcessEvent } from './events.js';
import { openProcessTree, watchProcessTree } from './tree-api.js';

const pids = (ns: ReadonlyArray<{ pid: number }>): number[] => ns.map((n) => n.pid).sort((a, b) => a - b);

describe('process tree, procfs fallback, on the vm-6.18 capture', () => {
  it('scoped to a parent: exactly its four children, with their commands', async () => {
    const tree = await watchProcessTree({ rootParent: 4361, mode: 'fallback', procRoot: fixture('vm-6.18/proc') });
    try {
      expect(tree.source).toBe('procfs');
      expect(pids(tree.descendants(4361))).toEqual([4367, 4368, 4369, 4370]);
      expect(tree.get(4367)).toMatchObject({ ppid: 4361, comm: 'my (weird) proc', origin: 'snapshot', exited: false, exit: null });
      expect(tree.get(1812)).toBeUndefined();
      expect(tree.summary()).toMatchObject({ rootParent: 4361, spawned: 0, exited: [] });
    } finally {
      await tree.close();
    }
  });

  it('whole system: kthreadd and init at the top, each process once', async () => {
    const tree = await openProcessTree({ mode: 'fallback', procRoot: fixture('vm-6.18/proc') });
    try {
      expect(pids(tree.live())).toEqual([1, 2, 1812, 4367, 4368, 4369, 4370]);
      expect(tree.children(1)).toEqual([]);
      expect(tree.exitTotals(4369)).toBeNull();
      expect(tree.exitTotals(31337)).toBeUndefined();
    } finally {
      await tree.close();
    }
  });

  it('bad options are ConfigErrors', async () => {
    await expect(openProcessTree({ mode: 'fast' as never })).rejects.toBeInstanceOf(ConfigError);
    await expect(openProcessTree({ rescanIntervalMs: 1 })).rejects.toBeInstanceOf(ConfigError);
    // With an engine, its own configuration selects the source: the tree takes no mode of its own.
    const engine = createEngine({ plugins: [proc()], config: { mode: 'fallback' } });
    await expect(openProcessTree({ engine, mode: 'ebpf' })).rejects.toThrow(/mode: got "ebpf".*no value with `engine`/);
    await engine.close();
    expect(() => watchProcessTree({} as never)).toThrow(ConfigError);
  });
});

describe('process tree, procfs fallback, re-scans of a changing tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-tree-'));
  const root = join(dir, 'proc');
  cpSync(fixture('vm-6.18/proc'), root, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a PID gone is an exit without totals (with the reason); a new PID is a fork under its parent', async () => {
    const tree = await openProcessTree({ mode: 'fallback', procRoot: root, rescanIntervalMs: 20 });
    const events: ProcessEvent[] = [];
    tree.on('fork', (e) => events.push(e));
    tree.on('exit', (e) => events.push(e));
    try {
      // 4370 exits; 5000 is forked by 4369, 2 s after it.
      renameSync(join(root, '4370'), join(dir, 'gone-4370'));
      mkdirSync(join(root, '5000'));
      for (const f of ['status', 'io', 'cgroup']) cpSync(join(root, '4369', f), join(root, '5000', f));
      const stat = readFileSync(join(root, '4369/stat'), 'utf8').split(' ');
      stat[0] = '5000';
      stat[3] = '4369';
      stat[21] = String(Number(stat[21]) + 200);
      writeFileSync(join(root, '5000/stat'), stat.join(' '));
      const exited = await tree.waitForExit(4370);
      expect(exited.exit).toMatchObject({ type: 'exit', pid: 4370, exitCode: null, totals: null, observed: 'procfs-scan' });
      expect(exited.exit?.totalsUnavailable).toMatch(/exit status and totals need the eBPF source/);
      while (tree.get(5000) === undefined) await new Promise((r) => setTimeout(r, 10));
      expect(tree.get(5000)).toMatchObject({ ppid: 4369, origin: 'fork', comm: 'sh' });
      expect(pids(tree.descendants(4369))).toEqual([5000]);
      expect(events.map((e) => `${e.type} ${e.pid}`)).toEqual(['exit 4370', 'fork 5000']);
      expect(tree.summary()).toMatchObject({ spawned: 1, totals: { processes: 0, withoutTotals: 1 } });
    } finally {
      await tree.close();
    }
    await expect(tree.waitForExit(4369)).rejects.toThrow(/closed/i);
  });
});

describe('process tree bounds: evicted exits and slow readers are counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-tree-'));
  const root = join(dir, 'proc');
  cpSync(fixture('vm-6.18/proc'), root, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maxExited 1: the older exit is evicted (counted, still in the totals); a reader 1 event behind loses the older', async () => {
    const tree = await openProcessTree({ mode: 'fallback', procRoot: root, rescanIntervalMs: 20, maxExited: 1, maxQueuedEvents: 1 });
    const reader = tree.events({ types: ['exit'] });
    try {
      renameSync(join(root, '4367'), join(dir, 'gone-4367'));
      await tree.waitForExit(4367);
      renameSync(join(root, '4368'), join(dir, 'gone-4368'));
      await tree.waitForExit(4368);
      expect(tree.get(4367)).toBeUndefined();
      expect(tree.get(4368)?.exited).toBe(true);
      expect(tree.summary()).toMatchObject({ exited: [{ pid: 4368 }], totals: { withoutTotals: 2 }, lost: { evicted: 1, eventsDroppedByReaders: 1 } });
      expect(tree.stats()).toMatchObject({ exits: 2, evicted: 1, eventsDroppedByReaders: 1 });
      const next = await reader.next();
      expect(next.value).toMatchObject({ type: 'exit', pid: 4368 });
    } finally {
      await tree.close();
    }
    expect(await reader.next()).toEqual({ value: undefined, done: true });
  });
});
