import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { memoryCgroupOf } from './pid-memory-cgroup.js';

// /proc/self/cgroup of the test process on the development machine (hybrid layout).
const HYBRID = '9:name=systemd:/\n8:pids:/\n4:memory:/process_api/003c345ff6adb2243c4a645e0c607e1c\n2:cpuacct:/\n1:cpu:/\n0::/\n';

describe('memoryCgroupOf', () => {
  it('v1: the line whose controllers include memory; v2: the 0:: line', () => {
    expect(memoryCgroupOf(HYBRID, 'cgroup', 'v1')).toBe('/process_api/003c345ff6adb2243c4a645e0c607e1c');
    expect(memoryCgroupOf(HYBRID, 'cgroup', 'v2')).toBe('/');
    expect(memoryCgroupOf('5:cpu,memory:/a:b\n', 'cgroup', 'v1')).toBe('/a:b');
    expect(memoryCgroupOf('1:cpu:/\n', 'cgroup', 'v1')).toBeNull();
  });

  it('a malformed line → EventProcessingFailed naming the line', () => {
    expect(() => memoryCgroupOf('garbage\n0::/\n', '/proc/1/cgroup', 'v2')).toThrow(EventProcessingFailed);
    expect(() => memoryCgroupOf('0::/\ngarbage\n', '/proc/1/cgroup', 'v1')).toThrow(/\/proc\/1\/cgroup line 2/);
  });
});
