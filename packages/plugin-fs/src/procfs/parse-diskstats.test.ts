import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures.js';
import { parseDiskstats } from './parse-diskstats.js';

const VDA = { major: 254, minor: 0, name: 'vda', reads: 288359, readsMerged: 33618, sectorsRead: 7877322, readMs: 355446, writes: 93271, writesMerged: 408425, sectorsWritten: 10727968, writeMs: 96205, inFlight: 0, ioMs: 74896, weightedIoMs: 487176 };
const idle = (major: number, minor: number, name: string, n: 11 | 15 | 17): object => ({
  major, minor, name, reads: 0, readsMerged: 0, sectorsRead: 0, readMs: 0, writes: 0, writesMerged: 0, sectorsWritten: 0, writeMs: 0, inFlight: 0, ioMs: 0, weightedIoMs: 0,
  discards: n >= 15 ? 0 : null, sectorsDiscarded: n >= 15 ? 0 : null, flushes: n === 17 ? 0 : null,
});

describe('parseDiskstats', () => {
  it('reads every device of a real capture (Linux 6.18: 17 counters) with discards and flushes', () => {
    const t = parseDiskstats('/proc/diskstats', fixture('debian12-vm/proc/diskstats'));
    expect(t.devices).toEqual([
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => idle(7, i, `loop${i}`, 17)),
      { ...VDA, discards: 260442, sectorsDiscarded: 7276784, flushes: 453 },
      idle(253, 0, 'zram0', 17),
    ]);
    expect(t.skipped).toBe(0);
  });

  it('reads the 15-counter form of Linux 4.18 to 5.4 (discards, no flushes)', () => {
    const t = parseDiskstats('/proc/diskstats', fixture('generations/diskstats-18'));
    expect(t.devices.find((d) => d.name === 'vda')).toEqual({ ...VDA, discards: 260442, sectorsDiscarded: 7276784, flushes: null });
    expect(t.devices).toHaveLength(10);
    expect(t.skipped).toBe(0);
  });

  it('reads the 11-counter form of Linux before 4.18 (no discards, no flushes)', () => {
    const t = parseDiskstats('/proc/diskstats', fixture('generations/diskstats-14'));
    expect(t.devices.find((d) => d.name === 'vda')).toEqual({ ...VDA, discards: null, sectorsDiscarded: null, flushes: null });
    expect(t.devices.find((d) => d.name === 'zram0')).toEqual(idle(253, 0, 'zram0', 11));
    expect(t.skipped).toBe(0);
  });

  it('a cut line, a non-numeric counter and a line with 16 counters are skipped and counted; the others are read', () => {
    const t = parseDiskstats('/proc/diskstats', fixture('malformed/proc/diskstats'));
    expect(t.devices.map((d) => d.name)).toEqual(['loop0', 'loop1', 'loop4', 'loop5', 'loop6', 'loop7', 'zram0']);
    expect(t.skipped).toBe(3);
    expect(t.firstSkip?.message).toBe('/proc/diskstats line 3: expected "major minor name" and 11, 15 or 17 decimal counters');
    expect(t.firstSkip?.code).toBe('EVENT_PROCESSING_FAILED');
  });

  it('an empty file has no devices and nothing skipped', () => {
    expect(parseDiskstats('/proc/diskstats', fixture('malformed/empty'))).toEqual({ devices: [], skipped: 0, firstSkip: null });
  });
});
