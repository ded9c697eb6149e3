import { describe, expect, it } from 'vitest';
import type { FilterPart } from '@bpfscope/core';
import { composePushdown } from './compose-pushdown.js';

const block = (pushed: FilterPart[]) => ({ pushed, concerns: (p: FilterPart) => p === 'devices' });
const file = (pushed: FilterPart[], files: boolean) => ({ pushed, concerns: (p: FilterPart) => files || p !== 'devices' });

describe('the fs source pushdown from its kernel parts', () => {
  it('pushes devices down when the block part is the only one it concerns', () => {
    expect(composePushdown({ devices: ['7:0'] }, [block(['devices'])])).toEqual({ pushedDown: ['devices'], notPushed: [] });
    expect(composePushdown({ devices: ['7:0'], pids: [1] }, [block(['devices']), file(['pids'], false)])).toEqual({ pushedDown: ['pids', 'devices'], notPushed: [] });
  });

  it('leaves devices to user space when per-file records carry a device the file part did not filter', () => {
    expect(composePushdown({ devices: ['7:0'] }, [block(['devices']), file([], true)])).toEqual({ pushedDown: [], notPushed: ['devices'] });
    expect(composePushdown({ devices: ['7:0'] }, [block(['devices']), file(['devices'], true)])).toEqual({ pushedDown: ['devices'], notPushed: [] });
  });

  it('pushes nothing no part applied, and nothing a part held by another engine left out', () => {
    expect(composePushdown({ pids: [1], minCpuPercent: 5 }, [block([])])).toEqual({ pushedDown: [], notPushed: ['pids', 'minCpuPercent'] });
    expect(composePushdown({ devices: ['7:0'] }, [block([])])).toEqual({ pushedDown: [], notPushed: ['devices'] });
    expect(composePushdown({}, [block([]), file([], true)])).toEqual({ pushedDown: [], notPushed: [] });
  });
});
