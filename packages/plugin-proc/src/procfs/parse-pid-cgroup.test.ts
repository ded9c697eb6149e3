import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { cgroupV2Path, parsePidCgroup } from './parse-pid-cgroup.js';

const parseFile = (rel: string) => {
  const path = fixture(rel);
  return parsePidCgroup(readFileSync(path, 'utf8'), path);
};

describe('parsePidCgroup', () => {
  it('a hybrid system: nine v1 hierarchies and the v2 one', () => {
    const m = parseFile('vm-6.18/proc/1812/cgroup');
    expect(m).toEqual([
      { hierarchyId: 9, controllers: ['name=systemd'], path: '/' },
      { hierarchyId: 8, controllers: ['pids'], path: '/' },
      { hierarchyId: 7, controllers: ['blkio'], path: '/' },
      { hierarchyId: 6, controllers: ['freezer'], path: '/' },
      { hierarchyId: 5, controllers: ['devices'], path: '/' },
      { hierarchyId: 4, controllers: ['memory'], path: '/process_api/79e54fcc3643f7318cbb7f03d64d1da1' },
      { hierarchyId: 3, controllers: ['cpuset'], path: '/' },
      { hierarchyId: 2, controllers: ['cpuacct'], path: '/' },
      { hierarchyId: 1, controllers: ['cpu'], path: '/' },
      { hierarchyId: 0, controllers: [], path: '/' },
    ]);
    expect(cgroupV2Path(m)).toBe('/');
  });

  it('a v2-only file, several controllers on one v1 line, and a path with a colon', () => {
    expect(parsePidCgroup('0::/system.slice/ssh.service\n', 'p')).toEqual([{ hierarchyId: 0, controllers: [], path: '/system.slice/ssh.service' }]);
    expect(parsePidCgroup('3:cpu,cpuacct:/a:b\n', 'p')).toEqual([{ hierarchyId: 3, controllers: ['cpu', 'cpuacct'], path: '/a:b' }]);
    expect(cgroupV2Path(parsePidCgroup('3:cpu,cpuacct:/\n', 'p'))).toBeNull();
  });

  it('malformed/cgroup-garbage-line → EventProcessingFailed at line 6', () => {
    const path = fixture('malformed/cgroup-garbage-line/proc/4367/cgroup');
    const e = caught(() => parsePidCgroup(readFileSync(path, 'utf8'), path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ details: { path, line: 6, content: '%$ garbage line' } });
  });

  it.each([['x::/\n', 'hierarchy ID'], ['0::relative\n', 'does not start with'], ['4::/\n', 'no controllers'], ['0:/\n', 'not an']])('rejects %j', (text, why) => {
    const e = caught(() => parsePidCgroup(text, 'p'));
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line: 1 } });
    expect((e as Error).message).toContain(why);
  });
});
