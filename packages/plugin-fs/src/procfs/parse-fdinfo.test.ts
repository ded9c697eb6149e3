import { EventProcessingFailed } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { fixture } from '../../test/fixtures.js';
import { parseFdinfo } from './parse-fdinfo.js';

const P = 'debian12-vm/proc/27070';

describe('parseFdinfo', () => {
  it('reads position, octal flags, mount ID and inode of a regular file (written 12345 bytes, O_RDWR|O_CLOEXEC|O_LARGEFILE)', () => {
    expect(parseFdinfo('/proc/27070/fdinfo/18', fixture(`${P}/fdinfo/18`))).toEqual({ pos: 12345, flags: 0o2100002, mntId: 27, ino: 2146349 });
    expect(parseFdinfo('/proc/27070/fdinfo/19', fixture(`${P}/fdinfo/19`))).toEqual({ pos: 3, flags: 0o2100000, mntId: 27, ino: 612 });
  });

  it('passes over the lines of other kinds of descriptor (eventfd, epoll)', () => {
    expect(parseFdinfo('/proc/27070/fdinfo/13', fixture(`${P}/fdinfo/13`))).toEqual({ pos: 0, flags: 0o2004002, mntId: 17, ino: 1030 });
    expect(parseFdinfo('/proc/27070/fdinfo/14', fixture(`${P}/fdinfo/14`))).toEqual({ pos: 0, flags: 0o2000002, mntId: 17, ino: 1030 });
    expect(parseFdinfo('/proc/27070/fdinfo/11', fixture(`${P}/fdinfo/11`))).toEqual({ pos: 0, flags: 0o2004000, mntId: 16, ino: 3547041 });
  });

  it('an fdinfo without ino (kernels before 5.14) has ino null', () => {
    expect(parseFdinfo('x', 'pos:\t0\nflags:\t02\nmnt_id:\t9\n')).toEqual({ pos: 0, flags: 2, mntId: 9, ino: null });
  });

  it('a non-octal flags value or a truncated file is a taxonomy error naming the line', () => {
    expect((caught(() => parseFdinfo('/proc/27070/fdinfo/18', fixture('malformed/fdinfo-bad-flags'))) as Error).message).toBe('/proc/27070/fdinfo/18 line 2: flags is not an octal integer');
    expect((caught(() => parseFdinfo('/proc/27070/fdinfo/18', fixture('malformed/fdinfo-truncated'))) as Error).message).toBe('/proc/27070/fdinfo/18 line 3: no mnt_id line (truncated file?)');
    expect(caught(() => parseFdinfo('x', fixture('malformed/empty')))).toBeInstanceOf(EventProcessingFailed);
  });
});
