import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '../errors/taxonomy.js';
import { parseMountInfo } from './mount-info.js';

describe('parseMountInfo', () => {
  it('reads IDs, device, root, target, options, type, source and super options, with optional fields and escapes', () => {
    const t = parseMountInfo([
      '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
      '48 27 254:0 /run/netns /run/my\\040ns rw,relatime shared:1 master:2 - ext4 /dev/vda rw,discard',
      '',
    ].join('\n'));
    expect(t).toEqual({
      mounts: [
        { mountId: 27, parentId: 1, major: 254, minor: 0, root: '/', target: '/', options: ['rw', 'relatime'], type: 'ext4', source: '/dev/vda', superOptions: ['rw', 'discard'] },
        { mountId: 48, parentId: 27, major: 254, minor: 0, root: '/run/netns', target: '/run/my ns', options: ['rw', 'relatime'], type: 'ext4', source: '/dev/vda', superOptions: ['rw', 'discard'] },
      ],
      skipped: 0,
      firstSkip: null,
    });
  });

  it('a line without the separator, cut short or with a bad device is left out and counted; the others are read', () => {
    const t = parseMountInfo([
      '22 27 0:21 / /proc rw,relatime - proc proc rw',
      '23 27 0:22 / /sys rw,relatime sysfs sysfs rw',
      '24 27 0:6 / /dev rw,relatime - devtmpfs',
      '25 24 zero:23 / /dev/shm rw,relatime - tmpfs tmpfs rw',
      '26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600',
    ].join('\n'), '/x/mountinfo');
    expect(t.mounts.map((m) => m.target)).toEqual(['/proc', '/dev/pts']);
    expect(t.skipped).toBe(3);
    expect(t.firstSkip).toBeInstanceOf(EventProcessingFailed);
    expect(t.firstSkip?.message).toMatch(/^\/x\/mountinfo line 2: expected/);
  });

  it('an empty text has no mounts and nothing skipped', () => {
    expect(parseMountInfo('')).toEqual({ mounts: [], skipped: 0, firstSkip: null });
  });
});
