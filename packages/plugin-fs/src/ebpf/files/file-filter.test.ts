import { describe, expect, it } from 'vitest';
import { kernelFileFilter, OPEN_FILTER } from './file-filter.js';

const bounds = { ids: 3, anchors: 4 };
const resolve = (p: string) => (p === '/missing' ? null : { dev: 1, ino: p.length });

describe('kernelFileFilter', () => {
  it('holds pids, cgroups and operations, as bits and sets', () => {
    const { kernel, pushed } = kernelFileFilter({ pids: [1, 2, 2], excludeCgroupIds: [7n], fileOperations: ['read', 'fsync'], comms: ['x'] }, false, bounds, 0, resolve);
    expect(pushed).toEqual(['pids', 'excludeCgroupIds', 'fileOperations']);
    expect(kernel).toMatchObject({ parts: 1 | 8, ops: 4 | 16, pids: [1, 2], excludeCgroupIds: [7n] });
  });
  it('leaves to user space a list longer than the map, path prefixes without files, or with one that cannot be stat\'ed', () => {
    expect(kernelFileFilter({ pids: [1, 2, 3, 4] }, true, bounds, 0, resolve).pushed).toEqual([]);
    expect(kernelFileFilter({ pathPrefixes: ['/a'] }, false, bounds, 0, resolve).pushed).toEqual([]);
    expect(kernelFileFilter({ pathPrefixes: ['/a', '/missing'] }, true, bounds, 0, resolve).pushed).toEqual([]);
    expect(kernelFileFilter({ pathPrefixes: ['/a', '/b', '/c'] }, true, bounds, 2, resolve).pushed).toEqual([]);
    const ok = kernelFileFilter({ pathPrefixes: ['/a', '/bb'] }, true, bounds, 2, resolve);
    expect(ok).toEqual({ kernel: { ...OPEN_FILTER, parts: 16, prefixes: [{ dev: 1, ino: 2 }, { dev: 1, ino: 3 }] }, pushed: ['pathPrefixes'] });
  });
  it('an empty filter lets everything through', () => {
    expect(kernelFileFilter({}, true, bounds, 0, resolve)).toEqual({ kernel: OPEN_FILTER, pushed: [] });
  });
});
