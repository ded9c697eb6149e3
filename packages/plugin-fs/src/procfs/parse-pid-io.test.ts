import { EventProcessingFailed } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { fixture } from '../../test/fixtures.js';
import { parsePidIo } from './parse-pid-io.js';

const P = 'debian12-vm/proc/27070';

describe('parsePidIo', () => {
  it('reads the seven counters of a real capture', () => {
    expect(parsePidIo('/proc/27070/io', fixture(`${P}/io`))).toEqual({
      rchar: 250321, wchar: 12412, syscr: 91, syscw: 7, readBytes: 4096, writeBytes: 28672, cancelledWriteBytes: 0,
    });
  });

  it('a truncated file or a non-numeric value is a taxonomy error naming the line', () => {
    const cut = caught(() => parsePidIo('/proc/27070/io', fixture('malformed/proc/4242/io')));
    expect(cut).toBeInstanceOf(EventProcessingFailed);
    expect((cut as Error).message).toBe('/proc/27070/io line 4: no syscw line (truncated file?)');
    expect((caught(() => parsePidIo('/proc/27070/io', fixture('malformed/proc/4243/io'))) as Error).message).toBe('/proc/27070/io line 2: not a "key: <integer>" line');
    expect(caught(() => parsePidIo('/proc/27070/io', fixture('malformed/empty')))).toBeInstanceOf(EventProcessingFailed);
  });
});
