import { createEngine, type Engine } from '@bpfscope/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FixtureReader, withServices } from '../../../test/fixture-services.js';
import { fixturePath } from '../test/fixtures.js';
import { fs } from './plugin.js';

describe('fs plugin over a capture', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  const start = async (): Promise<Engine> => {
    const procfs = new FixtureReader(fixturePath('debian12-vm/proc'), fixturePath('debian12-vm/sys'));
    engine = createEngine({ plugins: [withServices(fs(), { procfs })], config: { mode: 'fallback', cache: { enabled: false } } });
    await engine.start();
    return engine;
  };

  it('in fallback mode reads through procfs and sysfs (the eBPF source comes first otherwise)', async () => {
    const e = await start();
    const r = (await e.collect()).get('fs');
    expect(r?.source).toBe('procfs');
    expect(r?.data.devices.map((d) => d.name)).toContain('vda');
  });

  it('a devices filter keeps the devices and the mounts of that major:minor', async () => {
    const e = await start();
    await e.setFilter('fs', { devices: ['254:0'] });
    const d = (await e.collect()).get('fs')!.data;
    expect(d.devices.map((x) => x.name)).toEqual(['vda']);
    expect(d.mounts.length).toBeGreaterThan(0);
    expect(d.mounts.every((m) => m.dev === '254:0')).toBe(true);
  });

  it('pid and comm filters apply to processes; a fileOperations filter of fsync keeps none (the fallback counts no fsyncs)', async () => {
    const e = await start();
    await e.setFilter('fs', { pids: [27070] });
    expect((await e.collect()).get('fs')!.data.processes.map((p) => p.pid)).toEqual([27070]);
    await e.setFilter('fs', { excludeComms: ['node'] });
    expect((await e.collect()).get('fs')!.data.processes).toEqual([]);
    await e.setFilter('fs', { fileOperations: ['write'] });
    expect((await e.collect()).get('fs')!.data.processes.map((p) => p.pid)).toEqual([27070]);
    await e.setFilter('fs', { fileOperations: ['fsync'] });
    expect((await e.collect()).get('fs')!.data.processes).toEqual([]);
  });

  it('config.families.fs overrides the factory\'s options (topK 0: no processes)', async () => {
    const procfs = new FixtureReader(fixturePath('debian12-vm/proc'), fixturePath('debian12-vm/sys'));
    engine = createEngine({ plugins: [withServices(fs({ topK: 5 }), { procfs })], config: { mode: 'fallback', cache: { enabled: false }, families: { fs: { topK: 0 } } } });
    await engine.start();
    expect((await engine.collect()).get('fs')!.data.processes).toEqual([]);
  });
});
