// A plugin whose eBPF object is missing: every family reports LoadFailed naming the
// path (not an EventProcessingFailed about a layout), and falls back in mode 'auto'.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, LoadFailed } from '@bpfscope/core';
import { cpu } from '@bpfscope/plugin-cpu';
import { mem } from '@bpfscope/plugin-mem';
import { proc } from '@bpfscope/plugin-proc';
import { syscall } from '@bpfscope/plugin-syscall';

describe('a plugin whose eBPF object is missing', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-noobj-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const plugins = {
    cpu: (objectPath: string) => cpu({ objectPath }),
    mem: (objectPath: string) => mem({ objectPath }),
    proc: (objectPath: string) => proc({ objectPath }),
    syscall: (objectPath: string) => syscall({ objectPath }),
  };

  it.each(Object.keys(plugins))('%s: mode auto falls back to procfs with LoadFailed naming the path', async (family) => {
    const path = join(dir, `${family}.bpf.o`);
    const engine = createEngine({ plugins: [plugins[family as keyof typeof plugins](path)], config: { mode: 'auto', operationTimeoutMs: 30_000, logLevel: 'error' } });
    try {
      await engine.start();
      const snap = await engine.collect();
      const r = snap.get(family as 'cpu');
      // A shared, loaded machine: a generous time limit, and the errors shown if the reading still failed.
      expect({ source: r?.source, errors: snap.errors.map((e) => e.error.message) }).toEqual({ source: 'procfs', errors: [] });
      expect(r?.fallback).toBeInstanceOf(LoadFailed);
      expect(r?.fallback).toMatchObject({ code: 'LOAD_FAILED', object: path, errno: 2, details: { path } });
      expect(r?.fallback?.message).toContain('ENOENT');
      expect(r?.fallback?.remedy).toMatch(/^Check the object path: /);
    } finally {
      await engine.close();
    }
  });

  it('mode ebpf: start rejects with that LoadFailed', async () => {
    const path = join(dir, 'cpu.bpf.o');
    const engine = createEngine({ plugins: [cpu({ objectPath: path })], config: { mode: 'ebpf', logLevel: 'error' } });
    try {
      await expect(engine.start()).rejects.toMatchObject({ code: 'LOAD_FAILED', object: path, details: { path } });
    } finally {
      await engine.close();
    }
  });
});
