import { EventProcessingFailed } from '@bpfscope/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { parseSocketTable } from './parse-socket-table.js';

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${rel}`, import.meta.url)), 'utf8');
const brief = (t: ReturnType<typeof parseSocketTable>): string[] =>
  t.sockets.map((s) => `${s.protocol}${s.family} ${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort} st=${s.stateCode} q=${s.txQueue}/${s.rxQueue} uid=${s.uid} ino=${s.inode}`);

describe('parseSocketTable on a real capture', () => {
  it('tcp: listeners, established pairs and a TIME_WAIT line (which has fewer fields and inode 0)', () => {
    const t = parseSocketTable('/proc/net/tcp', read('debian12-vm/proc/net/tcp'), 'tcp', 4);
    expect(brief(t)).toEqual([
      'tcp4 127.0.0.1:35853 0.0.0.0:0 st=10 q=0/0 uid=0 ino=34177',
      'tcp4 0.0.0.0:2024 0.0.0.0:0 st=10 q=0/0 uid=0 ino=1122',
      'tcp4 127.0.0.1:35853 127.0.0.1:53914 st=1 q=0/0 uid=0 ino=34180',
      'tcp4 127.0.0.1:53914 127.0.0.1:35853 st=1 q=0/0 uid=0 ino=34179',
      'tcp4 127.0.0.1:59050 127.0.0.1:37189 st=1 q=0/0 uid=0 ino=34187',
      'tcp4 127.0.0.1:58344 127.0.0.1:34775 st=6 q=0/0 uid=0 ino=0',
    ]);
    expect([t.skipped, t.firstSkip]).toEqual([0, null]);
  });

  it('tcp6: wildcard, ::1 and a v4-mapped connection on a dual-stack listener', () => {
    const t = parseSocketTable('/proc/net/tcp6', read('debian12-vm/proc/net/tcp6'), 'tcp', 6);
    expect(brief(t)).toEqual([
      'tcp6 :::37189 :::0 st=10 q=0/0 uid=0 ino=34186',
      'tcp6 ::1:38067 :::0 st=10 q=0/0 uid=0 ino=34178',
      'tcp6 ::1:39178 ::1:38067 st=1 q=0/0 uid=0 ino=34181',
      'tcp6 ::ffff:127.0.0.1:37189 ::ffff:127.0.0.1:59050 st=1 q=0/0 uid=0 ino=34188',
      'tcp6 ::1:38067 ::1:39178 st=1 q=0/0 uid=0 ino=34182',
    ]);
  });

  it('udp and udp6: connected (st 1) and unconnected (st 7), with the extra drops column', () => {
    expect(brief(parseSocketTable('/proc/net/udp', read('debian12-vm/proc/net/udp'), 'udp', 4))).toEqual([
      'udp4 127.0.0.1:32918 127.0.0.1:45605 st=1 q=0/0 uid=0 ino=34185',
      'udp4 127.0.0.1:45605 0.0.0.0:0 st=7 q=0/0 uid=0 ino=34183',
    ]);
    expect(brief(parseSocketTable('/proc/net/udp6', read('debian12-vm/proc/net/udp6'), 'udp', 6))).toEqual(['udp6 ::1:56508 :::0 st=7 q=0/0 uid=0 ino=34184']);
  });
});

describe('parseSocketTable on malformed input', () => {
  it('a truncated line is skipped and counted, the lines after it still parse', () => {
    const t = parseSocketTable('/proc/net/tcp', read('malformed/tcp-truncated'), 'tcp', 4);
    expect(t.sockets.map((s) => s.inode)).toEqual([34177, 1122, 34179, 34187, 0]);
    expect(t.skipped).toBe(1);
    expect(t.firstSkip).toBeInstanceOf(EventProcessingFailed);
    expect(t.firstSkip?.message).toBe('/proc/net/tcp line 4: 6 fields, expected at least 10 (truncated line?)');
  });

  it('a non-hex address and a non-hex state are skipped, each counted; the first reason is kept', () => {
    const t = parseSocketTable('/proc/net/tcp', read('malformed/tcp-nonhex'), 'tcp', 4);
    expect(t.sockets.map((s) => s.inode)).toEqual([34177, 34179]);
    expect(t.skipped).toBe(2);
    expect(t.firstSkip?.message).toBe('/proc/net/tcp line 3: an address is not hex ADDRESS:PORT of the expected length');
    expect(t.firstSkip?.details).toMatchObject({ path: '/proc/net/tcp', line: 3 });
  });

  it('an IPv6 address of the wrong length is skipped', () => {
    const t = parseSocketTable('/proc/net/tcp6', read('malformed/tcp6-short-address'), 'tcp', 6);
    expect(t.sockets.map((s) => s.inode)).toEqual([34186, 34178, 34181]);
    expect(t.skipped).toBe(1);
  });

  it('an IPv4 table read as IPv6 skips every line (the address lengths differ)', () => {
    const t = parseSocketTable('/proc/net/tcp', read('debian12-vm/proc/net/tcp'), 'tcp', 6);
    expect([t.sockets.length, t.skipped]).toEqual([0, 6]);
  });

  it('an empty file or one without the header is a taxonomy error', () => {
    const e = caught(() => parseSocketTable('/proc/net/udp', read('malformed/empty'), 'udp', 4));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect((e as EventProcessingFailed).code).toBe('EVENT_PROCESSING_FAILED');
    expect((e as EventProcessingFailed).message).toBe('/proc/net/udp line 1: no socket-table header (sl local_address ...)');
    expect(caught(() => parseSocketTable('/proc/net/dev', read('debian12-vm/proc/net/dev'), 'tcp', 4))).toBeInstanceOf(EventProcessingFailed);
  });
});
