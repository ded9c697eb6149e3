import { ConfigError } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../test/caught.js';
import { resolveNetOptions, withFamilyOptions } from './options.js';

describe('net options', () => {
  it('fills in the defaults', () => {
    expect(resolveNetOptions({}, '/x/net.bpf.o')).toEqual({
      protocols: null, ports: null, localAddresses: null, remoteAddresses: null, pids: null, cgroupIds: null, netNamespaces: null,
      minBytes: 0, minConnections: 0, maxConnections: 10_000, topK: 100, objectPath: '/x/net.bpf.o',
    });
  });

  it('keeps valid filters', () => {
    const o = resolveNetOptions({ protocols: ['udp'], ports: [{ from: 80, to: 90 }], pids: [7], cgroupIds: [5, 6n], remoteAddresses: ['::1'], netNamespaces: [4026531840] }, '')!;
    expect([[...o.protocols!], o.ports, [...o.pids!], [...o.cgroupIds!], o.remoteAddresses!.map((c) => c.text), o.netNamespaces]).toEqual([['udp'], [{ from: 80, to: 90 }], [7], [5n, 6n], ['::1'], [4026531840]]);
  });

  it('refuses bad values with a ConfigError naming the path', () => {
    const cases: [object, string][] = [
      [{ protocols: ['icmp'] }, 'net.protocols[0]'],
      [{ protocols: 'tcp' }, 'net.protocols'],
      [{ ports: [{ from: 90, to: 80 }] }, 'net.ports[0].to'],
      [{ ports: [{ from: -1, to: 80 }] }, 'net.ports[0].from'],
      [{ ports: [80] }, 'net.ports[0]'],
      [{ localAddresses: ['10.0.0.0/40'] }, 'net.localAddresses[0]'],
      [{ pids: [0] }, 'net.pids[0]'],
      [{ cgroupIds: [-3] }, 'net.cgroupIds[0]'],
      [{ netNamespaces: [1.5] }, 'net.netNamespaces[0]'],
      [{ minBytes: -1 }, 'net.minBytes'],
      [{ maxConnections: 'all' }, 'net.maxConnections'],
      [{ objectPath: '' }, 'net.objectPath'],
    ];
    for (const [given, path] of cases) {
      const e = caught(() => resolveNetOptions(given as never, ''));
      expect({ given, e: e instanceof ConfigError ? e.path : e }).toEqual({ given, e: path });
    }
  });

  it('config.families.net overrides the factory per key, and its bad values name families.net', () => {
    const base = resolveNetOptions({ protocols: ['tcp'], topK: 5 }, '/o');
    const o = withFamilyOptions(base, { topK: 7, remoteAddresses: ['10.0.0.0/8'] });
    expect([[...o.protocols!], o.topK, o.remoteAddresses!.map((c) => c.text), o.objectPath]).toEqual([['tcp'], 7, ['10.0.0.0/8'], '/o']);
    expect(withFamilyOptions(base, {})).toBe(base);
    const e = caught(() => withFamilyOptions(base, { protocols: ['sctp'] }));
    expect((e as ConfigError).path).toBe('families.net.protocols[0]');
  });
});
