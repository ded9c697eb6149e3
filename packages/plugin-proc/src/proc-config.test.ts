// config.families.proc is validated against the plugin's schema and overrides the factory's options.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, createEngine } from '@bpfscope/core';
import { proc } from './plugin.js';
import type { ProcMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('proc options from config.families.proc', () => {
  it('an invalid option is a ConfigError naming its path', () => {
    const bad = (opts: Record<string, unknown>): unknown => {
      try {
        createEngine({ plugins: [proc()], config: { families: { proc: opts } }, logger: silent });
        return undefined;
      } catch (e) {
        return e;
      }
    };
    for (const [opts, path] of [
      [{ topK: 0 }, 'families.proc.topK'],
      [{ topK: 'ten' }, 'families.proc.topK'],
      [{ topBy: 'mem' }, 'families.proc.topBy'],
      [{ pids: [0] }, 'families.proc.pids[0]'],
      [{ topk: 5 }, 'families.proc.topk'],
    ] as const) {
      const e = bad(opts);
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).path).toBe(path);
    }
  });

  it('valid options override the factory: topK, topBy and pids from the config reach the readings', async () => {
    // `sleep` (about 1 MB resident) beside this Node process (tens of MB): rss ranks Node first.
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const plugin = proc({ topK: { by: 'cpu', k: 50 } });
      const config = { mode: 'fallback' as const, families: { proc: { topK: 1, topBy: 'rss', pids: [process.pid, child.pid!] } } };
      const engine = createEngine({ plugins: [plugin], config, logger: silent });
      const data = (await engine.collect()).get('proc')?.data as ProcMetrics;
      expect(data.processes.map((p) => p.pid)).toEqual([process.pid]);
      expect(data.matched).toBe(2);
      await engine.close();
    } finally {
      child.kill();
    }
  });
});
