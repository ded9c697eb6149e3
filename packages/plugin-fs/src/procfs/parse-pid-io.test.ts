import { EventProcessingFailed, parsePidIo } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { fixture } from '../../test/fixtures.js';

const P = 'debian12-vm/proc/27070';

describe('parsePidIo', () => {
  it('reads the seven counters of a real capture', () => {
    expect(parsePidIo(fixture(`${P}/io`), '/proc/27070/io')).toEqual({
      rchar: 250321, wchar: 12412, syscr: 91, syscw: 7, readBytes: 4096, writeBytes: 28672, cancelledWriteBytes: 0,
    });
  });

  it('a truncated file or a non-numeric value is a taxonomy error naming the line', () => {
    const cut = caught(() => parsePidIo(fixture('malformed/proc/4242/io'), '/proc/27070/io'));
    expect(cut).toBeInstanceOf(EventProcessingFailed);
    expect((cut as Error).message).toBe('/proc/27070/io line 4: no syscw line (truncated file?)');
    expect((caught(() => parsePidIo(fixture('malformed/proc/4243/io'), '/proc/27070/io')) as Error).message).toBe('/proc/27070/io line 2: not a "key: <integer>" line');
    expect(caught(() => parsePidIo(fixture('malformed/empty'), '/proc/27070/io'))).toBeInstanceOf(EventProcessingFailed);
  });
});
