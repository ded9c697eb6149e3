import { describe, expect, it } from 'vitest';
import { Closed, ConfigError, DataUnavailable, createConsoleLogger, createEngine } from '@bpfscope/core';
import { caught } from '../../../test/caught.js';
import { SystemInformation } from './system-information.js';
import { configure, cpuTemperature, shutdown } from './default-instance.js';

const logger = createConsoleLogger('silent');

describe('SystemInformation options and lifecycle', () => {
  it('bad options are ConfigErrors naming the option', () => {
    const bad = [
      [{ reuseMs: -1 }, 'reuseMs'],
      [{ reuseMs: 1.5 }, 'reuseMs'],
      [{ engine: createEngine({ logger }), config: {} }, 'config'],
      [{ engine: createEngine({ logger }), reuseMs: 0 }, 'reuseMs'],
    ] as const;
    for (const [options, path] of bad) {
      const e = caught(() => new SystemInformation(options));
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).details).toMatchObject({ path });
    }
    expect(caught(() => new SystemInformation(null as never))).toBeInstanceOf(ConfigError);
  });

  it('bad arguments reject with ConfigError before reading anything', async () => {
    const si = new SystemInformation({ engine: createEngine({ logger }) });
    await expect(si.networkStats(5 as never)).rejects.toBeInstanceOf(ConfigError);
    await expect(si.fsSize({} as never)).rejects.toBeInstanceOf(ConfigError);
  });

  it("a given engine without the family's plugin: DataUnavailable naming it; the engine is neither extended nor closed", async () => {
    const engine = createEngine({ logger });
    const si = new SystemInformation({ engine });
    expect(si.engine).toBe(engine);
    const e = await si.mem().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataUnavailable);
    expect((e as DataUnavailable).message).toContain('no mem plugin');
    expect(engine.metricMappers()).toEqual([]);
    await si.close();
    await expect(si.currentLoad()).rejects.toBeInstanceOf(Closed);
    await expect(engine.collect()).resolves.toBeDefined();
    await engine.close();
  });

  it('the own engine does not exist before the first call that needs a family, and then holds that family only', async () => {
    const si = new SystemInformation({ logger, config: { mode: 'fallback' } });
    expect(si.engine).toBeNull();
    await si.cpuTemperature();
    expect(si.engine?.stats().collectors.map((c) => c.family)).toEqual(['thermal']);
    await si.close();
  });

  it('the module functions use one shared facade; configure() validates and replaces it', async () => {
    await expect(configure({ reuseMs: -5 })).rejects.toBeInstanceOf(ConfigError);
    await configure({ logger });
    expect((await cpuTemperature()).cores).toEqual([]);
    await shutdown();
  });
});
