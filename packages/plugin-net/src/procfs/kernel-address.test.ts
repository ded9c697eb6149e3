import { describe, expect, it } from 'vitest';
import { formatAddress, kernelAddressBytes } from './kernel-address.js';

const v6 = (text: string): Uint8Array => {
  const out = new Uint8Array(16);
  const hex = text.replace(/:/g, '');
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
};

describe('kernel addresses', () => {
  it('reverses the bytes of each 32-bit word on this little-endian machine, as the kernel printed them', () => {
    expect(Array.from(kernelAddressBytes('0100007F'))).toEqual([127, 0, 0, 1]);
    expect(Array.from(kernelAddressBytes('0000000000000000FFFF00000100007F'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);
  });

  it('writes IPv6 in the RFC 5952 short form, as ss prints it', () => {
    expect(formatAddress(v6('0000:0000:0000:0000:0000:0000:0000:0000'))).toBe('::');
    expect(formatAddress(v6('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('::1');
    expect(formatAddress(v6('fe80:0000:0000:0000:0202:b3ff:fe1e:8329'))).toBe('fe80::202:b3ff:fe1e:8329');
    expect(formatAddress(v6('2001:0db8:0000:0001:0000:0000:0000:0001'))).toBe('2001:db8:0:1::1'); // the longer zero run is compressed
    expect(formatAddress(v6('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1'); // a tie: the first run
    expect(formatAddress(v6('2001:0db8:0001:0001:0001:0001:0000:0001'))).toBe('2001:db8:1:1:1:1:0:1'); // one zero group stays
    expect(formatAddress(v6('0000:0000:0000:0000:0000:ffff:7f00:0001'))).toBe('::ffff:127.0.0.1');
    expect(formatAddress(new Uint8Array([10, 1, 2, 3]))).toBe('10.1.2.3');
  });
});
