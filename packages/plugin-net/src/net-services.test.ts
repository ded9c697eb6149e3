// The net plugin in an engine, reading a captured machine through the container's procfs
// reader and clock: the fallback is selected, its interval is the clock's, the family's
// config overrides the factory's options, and a bad config value is refused by path.
import { ConfigError, createEngine, type Plugin } from '@bpfscope/core';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FixtureReader, ManualClock, withServices } from '../../../test/fixture-services.js';
import { caught } from '../../../test/caught.js';
import { net } from './plugin.js';
import type { NetMetrics } from './records.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };
const root = fileURLToPath(new URL('../test/fixtures/debian12-vm/', import.meta.url));
const NOWHERE = { procRoot: '/nonexistent-bpfscope-proc', sysRoot: '/nonexistent-bpfscope-sys' };

async function twoReadings(plugin: Plugin, families: Record<string, Record<string, unknown>> = {}): Promise<[NetMetrics, NetMetrics, FixtureReader]> {
  const reader = new FixtureReader(`${root}proc`, `${root}sys`);
  const clock = new ManualClock(5_000_000_000n, 1_795_460_000_000);
  const engine = createEngine({ plugins: [withServices(plugin, { procfs: reader, clock })], config: { mode: 'fallback', ...NOWHERE, cache: { enabled: false }, families }, logger: silent });
  const data = async (): Promise<NetMetrics> => {
    const r = (await engine.collect()).get('net');
    expect(r?.source).toBe('procfs');
    return r!.data;
  };
  try {
    await engine.start();
    clock.advance(1_500);
    const first = await data();
    clock.advance(2_000);
    return [first, await data(), reader];
  } finally {
    await engine.close();
  }
}

describe('net family in an engine, over a captured machine', () => {
  it('reads only through the given reader, with intervals and rates on the given clock', async () => {
    const [first, second, reader] = await twoReadings(net());
    expect([first.intervalMs, second.intervalMs]).toEqual([1_500, 2_000]);
    expect(first.countersSince).toBe(new Date(1_795_460_000_000).toISOString());
    expect(second.interfaces.find((i) => i.name === 'lo')).toMatchObject({ rxBytes: 6442, rxBytesPerSec: 0, txBytesPerSec: 0, source: 'sysfs' });
    expect(second.connectionCount).toBe(14);
    expect(reader.calls).toContain('proc net/tcp6');
    expect(reader.calls).toContain('sys class/net/lo/statistics/rx_bytes');
  });

  it('config.families.net overrides the factory\'s options', async () => {
    const [, m] = await twoReadings(net({ protocols: ['tcp'] }), { net: { protocols: ['udp'], topK: 1 } });
    expect(m.connections.map((c) => c.localPort).sort()).toEqual([32918, 45605, 56508]);
    expect(m.hosts.map((h) => h.address)).toEqual(['127.0.0.1']);
  });

  it('the engine\'s filter applies to connections and processes', async () => {
    const reader = new FixtureReader(`${root}proc`, `${root}sys`);
    const engine = createEngine({ plugins: [withServices(net(), { procfs: reader })], config: { mode: 'fallback', ...NOWHERE, cache: { enabled: false } }, logger: silent });
    try {
      await engine.start();
      await engine.setFilter('net', { portRanges: [{ from: 38067, to: 38067 }] });
      const m = (await engine.collect()).get('net')!.data;
      expect(m.connections.map((c) => `${c.localPort}-${c.remotePort}`).sort()).toEqual(['38067-0', '38067-39178', '39178-38067']);
    } finally {
      await engine.close();
    }
  });

  it('a bad factory option or family option is a ConfigError naming it', async () => {
    expect((caught(() => net({ remoteAddresses: ['10.0.0.0/99'] })) as ConfigError).path).toBe('net.remoteAddresses[0]');
    const e = await twoReadings(net(), { net: { protocols: ['icmp'] } }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).path).toBe('families.net.protocols[0]');
  });
});
