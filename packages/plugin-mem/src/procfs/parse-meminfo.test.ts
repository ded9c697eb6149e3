import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseMeminfo } from './parse-meminfo.js';

const parseFile = (rel: string) => {
  const path = fixture(rel);
  return parseMeminfo(readFileSync(path, 'utf8'), path);
};
const kB = (n: number): number => n * 1024;

describe('parseMeminfo', () => {
  it('vm-6.18: every named field in bytes, hugepage counts as counts, the rest in `other`', () => {
    const m = parseFile('vm-6.18/proc/meminfo');
    const { other, ...named } = m;
    expect(named).toEqual({
      memTotal: kB(24683656), memFree: kB(23388896), memAvailable: kB(24217284), buffers: kB(21252), cached: kB(960992),
      swapCached: 0, active: kB(413688), inactive: kB(568076), swapTotal: 0, swapFree: 0, dirty: kB(3152), writeback: 0,
      anonPages: kB(12388), mapped: kB(10740), shmem: kB(8924), slab: kB(156496), sReclaimable: kB(129612),
      sUnreclaim: kB(26884), kernelStack: kB(1452), pageTables: kB(2820), commitLimit: kB(12341828), committedAs: kB(57680),
      hugePagesTotal: 0, hugePagesFree: 0, hugePageSize: kB(2048),
    });
    expect(Object.keys(other)).toHaveLength(54 - 25);
    expect(other).toMatchObject({ 'Active(anon)': kB(1536), 'Inactive(file)': kB(561168), VmallocTotal: kB(34359738367), HugePages_Rsvd: 0, DirectMap1G: kB(25165824) });
  });

  it('an old kernel without MemAvailable: null', () => {
    expect(parseMeminfo('MemTotal:  100 kB\nMemFree:  50 kB\n', 'p')).toMatchObject({ memTotal: 102400, memFree: 51200, memAvailable: null, other: {} });
  });

  it('malformed/meminfo-non-numeric → EventProcessingFailed at line 5 (Cached)', () => {
    const path = fixture('malformed/meminfo-non-numeric/proc/meminfo');
    const e = caught(() => parseMeminfo(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ details: { path, line: 5, content: 'Cached:           96O992 kB' } });
    expect((e as Error).message).toBe(`${path} line 5: Cached "96O992" is not a non-negative integer`);
  });

  it.each([['MemTotal 100 kB\n', 1, 'not a "Key'], ['MemFree: 1 kB\n', 2, 'no MemTotal line'], ['MemTotal: -1 kB\n', 1, 'not a non-negative']])('rejects %j', (text, line, why) => {
    const e = caught(() => parseMeminfo(text, 'p'));
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line } });
    expect((e as Error).message).toContain(why);
  });
});

describe('parseMeminfo: the usual lines are scanned, any other goes the plain way, with the same result', () => {
  // What the parser did before it scanned lines: one regular expression per line.
  const plain = (text: string): Record<string, number> | string => {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const out: Record<string, number> = {};
    for (const [i, line] of lines.entries()) {
      const m = /^([A-Za-z0-9_()]+):\s+(\S+)( kB)?$/.exec(line);
      if (!m) return `line ${i + 1}`;
      if (!/^\d+$/.test(m[2]!)) return `line ${i + 1}`;
      out[m[1]!] = m[3] === undefined ? Number(m[2]) : Number(m[2]) * 1024;
    }
    return out;
  };
  const scanned = (text: string): Record<string, number> | string => {
    try {
      const { other, ...named } = parseMeminfo(text, 'p');
      const out: Record<string, number> = { ...other };
      const names: Record<string, string> = { memTotal: 'MemTotal', memFree: 'MemFree', memAvailable: 'MemAvailable', hugePageSize: 'Hugepagesize', hugePagesTotal: 'HugePages_Total' };
      for (const [k, v] of Object.entries(named)) if (v !== null && names[k]) out[names[k]!] = v;
      return out;
    } catch (e) {
      return `line ${(e as { details: { line: number } }).details.line}`;
    }
  };
  it.each([
    'MemTotal: 100 kB\nMemFree: 50 kB\n', 'MemTotal:\t100 kB\nMemFree:  50\n', 'MemTotal:    100 kB\nMemFree: 50 kB', 'MemTotal: 1234567890123456789 kB\nMemFree: 1 kB\n',
    'MemTotal: 123456789012345 kB\nMemFree: 1 kB\n', 'MemTotal: 100 MB\nMemFree: 1 kB\n', 'MemTotal: 100kB\nMemFree: 1 kB\n', 'MemTotal: 100 kB \nMemFree: 1 kB\n',
    'MemTotal:100 kB\nMemFree: 1 kB\n', 'MemTotal: 100 kB\n\nMemFree: 1 kB\n', 'MemTotal: 100 kB\nMemFree: 1 kB\nMemFree: 2 kB\n', 'Mem Total: 1\n',
    'MemTotal: 100 kB\nMemFree: 1 kB\nHugePages_Total:       0\n', 'MemTotal: 100 kB\nMemFree: 1 kB\nActive(anon): 7 kB\n',
  ])('%j', (text) => {
    const want = plain(text);
    const got = scanned(text);
    if (typeof want === 'string') expect(got).toBe(want);
    else expect(got).toMatchObject(want);
  });

  it('vm-6.18 twice (the second time with keys remembered from the first): equal results', () => {
    const once = parseFile('vm-6.18/proc/meminfo');
    parseMeminfo('MemTotal: 1 kB\nMemFree: 1 kB\nXyz: 3\n', 'p');
    expect(parseFile('vm-6.18/proc/meminfo')).toEqual(once);
  });
});
