import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseCgroupValue, parseMemoryMax, parseV1Limit } from './parse-cgroup-value.js';

const file = (rel: string): [string, string] => {
  const path = fixture(rel);
  return [readFileSync(path, 'utf8'), path];
};
const V1 = 'cgroup-v1/sys/fs/cgroup/memory';
const V2 = 'cgroup-v2-derived/sys/fs/cgroup/bpfscope-fixture';

describe('cgroup value files', () => {
  it('parseCgroupValue: usage and failcnt of the v1 capture', () => {
    expect(parseCgroupValue(...file(`${V1}/bpfscope-fixture/memory.usage_in_bytes`))).toBe(233472);
    expect(parseCgroupValue(...file(`${V1}/bpfscope-fixture/memory.failcnt`))).toBe(79);
    expect(parseCgroupValue(...file(`${V1}/memory.usage_in_bytes`))).toBe(1018503168);
  });

  it('parseV1Limit: 100 MiB, and the kernel\'s no-limit value 9223372036854771712 → null', () => {
    expect(parseV1Limit(...file(`${V1}/bpfscope-fixture/memory.limit_in_bytes`))).toBe(104857600);
    expect(parseV1Limit(...file(`${V1}/bpfscope-fixture/child/memory.limit_in_bytes`))).toBeNull();
    expect(parseV1Limit(...file(`${V1}/memory.limit_in_bytes`))).toBeNull();
    // 64 KiB pages print a smaller sentinel; still no limit.
    expect(parseV1Limit('9223372036854710272\n', 'p')).toBeNull();
  });

  it('parseMemoryMax: bytes, or "max" → null', () => {
    expect(parseMemoryMax(...file(`${V2}/memory.max`))).toBe(104857600);
    expect(parseMemoryMax(...file(`${V2}/child/memory.max`))).toBeNull();
  });

  it('malformed/memory-max-garbage: "100M" → EventProcessingFailed at line 1', () => {
    const [text, path] = file('malformed/memory-max-garbage/sys/fs/cgroup/bpfscope-fixture/memory.max');
    const e = caught(() => parseMemoryMax(text, path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect((e as Error).message).toBe(`${path} line 1: "100M" is neither "max" nor a byte count`);
  });

  it('malformed/v1-usage-garbage: "233472 bytes" → EventProcessingFailed', () => {
    const [text, path] = file('malformed/v1-usage-garbage/sys/fs/cgroup/memory/bpfscope-fixture/memory.usage_in_bytes');
    expect(caught(() => parseCgroupValue(text, path))).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path, line: 1, content: '233472 bytes' } });
  });

  it.each([
    [parseCgroupValue, '', '0 lines'],
    [parseCgroupValue, '1\n2\n', '2 lines'],
    [parseCgroupValue, '9007199254740993\n', 'above 2^53'],
    [parseV1Limit, '-1\n', 'not a byte count'],
    [parseV1Limit, '9007199254740993\n', 'above 2^53'],
    [parseMemoryMax, 'MAX\n', 'neither'],
  ] as const)('%o rejects %j', (parse, text, why) => {
    expect((caught(() => parse(text, 'p')) as Error).message).toContain(why);
  });
});
