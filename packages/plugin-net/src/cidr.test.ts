import { ConfigError } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../test/caught.js';
import { inCidrs, parseCidr } from './cidr.js';

describe('CIDR blocks', () => {
  it('matches IPv4 blocks, v4-mapped IPv6 addresses included, and not other addresses', () => {
    const b = [parseCidr('x', '10.0.0.0/8'), parseCidr('x', '192.168.1.7')];
    expect(['10.1.2.3', '10.255.255.255', '::ffff:10.0.0.1', '192.168.1.7'].map((a) => inCidrs(b, a))).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.168.1.8', '::1', '::a00:1', 'not an address'].map((a) => inCidrs(b, a))).toEqual([false, false, false, false, false]);
  });

  it('matches IPv6 blocks', () => {
    const b = [parseCidr('x', 'fd00::/8'), parseCidr('x', '::1/128')];
    expect(['fd12:3456::1', '::1', 'fe80::1', '::2', '127.0.0.1'].map((a) => inCidrs(b, a))).toEqual([true, true, false, false, false]);
    expect(inCidrs([parseCidr('x', '::/0')], '2001:db8::1')).toBe(true);
    expect(inCidrs([parseCidr('x', '0.0.0.0/0')], '2001:db8::1')).toBe(false);
  });

  it('clears host bits and keeps the text', () => {
    expect(parseCidr('x', '10.9.8.7/16')).toEqual({ text: '10.9.8.7/16', family: 4, network: 0x0a090000n, prefix: 16 });
  });

  it('refuses what is not a block, naming the option', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0/8', 'fd00::/x', 'localhost', 42, '10.0.0.0/']) {
      const e = caught(() => parseCidr('net.localAddresses[0]', bad));
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).path).toBe('net.localAddresses[0]');
    }
  });
});
