import { describe, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { syscall, SYSCALL_OPTION_SCHEMA } from './plugin.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('config.families.syscall: the plugin options schema', () => {
  it('declares the options it reads', () => {
    expect(Object.keys(SYSCALL_OPTION_SCHEMA).sort()).toEqual(['followForks', 'includeSelf', 'measure', 'pids', 'processes', 'spawnParent', 'syscalls', 'topProcesses']);
  });

  it.each([
    [{ measure: 'fast' }, 'families.syscall.measure'],
    [{ topProcesses: 0 }, 'families.syscall.topProcesses'],
    [{ pids: [1, -2] }, 'families.syscall.pids[1]'],
    [{ followForks: 'yes' }, 'families.syscall.followForks'],
    [{ processes: 1 }, 'families.syscall.processes'],
    [{ sampleEvery: 2 }, 'families.syscall.sampleEvery'],
  ])('%j is a ConfigError naming %s', (options, path) => {
    expect(() => createEngine({ plugins: [syscall()], config: { families: { syscall: options } }, logger: silent })).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR', path }));
  });

  it('a non-boolean processes option of the factory is a ConfigError naming syscall.processes', () => {
    expect(() => syscall({ processes: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR', path: 'syscall.processes' }));
  });

  it('an unknown syscall name in the config is a ConfigError naming its index when the engine starts', async () => {
    const engine = createEngine({ plugins: [syscall()], config: { mode: 'fallback', families: { syscall: { syscalls: ['getppid', 'no_such_call'] } } }, logger: silent });
    try {
      await expect(engine.start()).rejects.toMatchObject({ code: 'CONFIG_ERROR', path: 'families.syscall.syscalls[1]' });
    } finally {
      await engine.close();
    }
  });

  it('valid options reach the sources: the procfs source counts only the pids the config names', async () => {
    const engine = createEngine({ plugins: [syscall()], config: { mode: 'fallback', families: { syscall: { pids: [process.pid], measure: 'counts', topProcesses: 5 } } }, logger: silent });
    try {
      const data = (await engine.collect()).get('syscall')!.data;
      expect(data.filter.pids).toEqual([process.pid]);
      expect(data.processes.map((p) => p.pid)).toEqual([process.pid]);
    } finally {
      await engine.close();
    }
  });
});
