import { describe, expect, it } from 'vitest';
import { kernelDevOfStat, kernelDevText, statDevText } from './kernel-dev.js';
import { pathText } from './path-text.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('pathText', () => {
  it('reverses the components the kernel wrote from the file up', () => {
    const b = enc('f.log\0log\0var\0');
    expect(pathText(b, b.length, 0)).toEqual({ path: '/var/log/f.log', status: 'resolved' });
  });
  it('marks a walk cut at the bound with …/ before the components it kept', () => {
    const b = enc('f\0deep\0');
    expect(pathText(b, b.length, 1)).toEqual({ path: '…/deep/f', status: 'truncated' });
  });
  it('is unresolved with no name, or a status it does not know', () => {
    expect(pathText(new Uint8Array(8), 0, 2)).toEqual({ path: null, status: 'unresolved' });
    expect(pathText(enc('a\0'), 2, 9)).toEqual({ path: null, status: 'unresolved' });
  });
  it('reads no further than len, and keeps a last component without its NUL', () => {
    const b = enc('f\0etc\0stale\0');
    expect(pathText(b, 6, 0)).toEqual({ path: '/etc/f', status: 'resolved' });
    expect(pathText(b, 5, 0)).toEqual({ path: '/etc/f', status: 'resolved' });
  });
});

describe('device numbers', () => {
  it('turns stat st_dev (glibc encoding) into the kernel s_dev and major:minor', () => {
    // makedev(8, 1) = 0x801; makedev(259, 300) = (259 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12)
    expect(kernelDevOfStat(0x801n)).toBe((8 << 20) | 1);
    const st = (259n << 8n) | (300n & 0xffn) | ((300n & ~0xffn) << 12n);
    expect(statDevText(st)).toBe('259:300');
    expect(kernelDevText((254 << 20) | 0)).toBe('254:0');
  });
});
