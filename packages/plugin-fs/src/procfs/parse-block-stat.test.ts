import { EventProcessingFailed } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { fixture } from '../../test/fixtures.js';
import { parseDiskstats } from './parse-diskstats.js';
import { parseBlockStat, parseDevNumbers, parseInflight } from './parse-block-stat.js';

describe('/sys/block/<dev> files', () => {
  it('stat holds the counters /proc/diskstats has after the name (captured together)', () => {
    const stat = parseBlockStat('/sys/block/vda/stat', fixture('debian12-vm/sys/block/vda/stat'));
    const { major: _ma, minor: _mi, name: _n, ...fromDiskstats } = parseDiskstats('d', fixture('debian12-vm/proc/diskstats')).devices.find((d) => d.name === 'vda')!;
    expect(stat).toEqual(fromDiskstats);
    expect(stat).toMatchObject({ reads: 288359, sectorsRead: 7877322, writes: 93271, sectorsWritten: 10727968, inFlight: 0, discards: 260442, flushes: 453 });
  });

  it('inflight is two counters, reads and writes; dev is major:minor', () => {
    expect(parseInflight('/sys/block/vda/inflight', fixture('debian12-vm/sys/block/vda/inflight'))).toEqual({ reads: 0, writes: 0 });
    expect(parseDevNumbers('/sys/block/vda/dev', fixture('debian12-vm/sys/block/vda/dev'))).toEqual({ major: 254, minor: 0 });
    expect(parseDevNumbers('/sys/block/zram0/dev', fixture('debian12-vm/sys/block/zram0/dev'))).toEqual({ major: 253, minor: 0 });
  });

  it('a truncated stat, a bad inflight, an empty dev file are taxonomy errors naming the file', () => {
    const e = caught(() => parseBlockStat('/sys/block/vda/stat', fixture('malformed/block-stat-truncated')));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect((e as Error).message).toBe('/sys/block/vda/stat line 1: expected 11, 15 or 17 decimal counters');
    expect(caught(() => parseInflight('/sys/block/vda/inflight', fixture('malformed/inflight-bad')))).toBeInstanceOf(EventProcessingFailed);
    expect(caught(() => parseDevNumbers('/sys/block/vda/dev', fixture('malformed/empty')))).toBeInstanceOf(EventProcessingFailed);
  });
});
