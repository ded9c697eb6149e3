import { EventProcessingFailed } from '@bpfscope/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { parseNetDev } from './parse-net-dev.js';

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${rel}`, import.meta.url)), 'utf8');

describe('parseNetDev', () => {
  it('reads every interface of a real capture with its receive and transmit counters', () => {
    const t = parseNetDev('/proc/net/dev', read('debian12-vm/proc/net/dev'));
    expect(t.interfaces).toEqual([
      { name: 'lo', rxBytes: 6442, rxPackets: 75, rxErrors: 0, rxDropped: 0, txBytes: 6442, txPackets: 75, txErrors: 0, txDropped: 0 },
      { name: 'ifb0', rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
      { name: 'ifb1', rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 },
      { name: 'eth0', rxBytes: 82685764, rxPackets: 2699, rxErrors: 0, rxDropped: 0, txBytes: 353604, txPackets: 2347, txErrors: 0, txDropped: 0 },
    ]);
    expect(t.skipped).toBe(0);
  });

  it('a truncated line is skipped and counted; the others are read', () => {
    const t = parseNetDev('/proc/net/dev', read('malformed/dev-truncated'));
    expect(t.interfaces.map((i) => i.name)).toEqual(['lo', 'ifb1', 'eth0']);
    expect(t.skipped).toBe(1);
    expect(t.firstSkip?.message).toBe('/proc/net/dev line 4: expected "name:" and 16 decimal counters');
  });

  it('a counter glued to a long name (no space after the colon) still parses', () => {
    const t = parseNetDev('x', 'Inter-| Receive\n face |bytes\nveth1234567890a:123 4 0 0 0 0 0 0 567 8 0 0 0 0 0 0\n');
    expect(t.interfaces[0]).toMatchObject({ name: 'veth1234567890a', rxBytes: 123, rxPackets: 4, txBytes: 567, txPackets: 8 });
  });

  it('an empty file, or another file, is a taxonomy error', () => {
    expect(caught(() => parseNetDev('/proc/net/dev', read('malformed/empty')))).toBeInstanceOf(EventProcessingFailed);
    expect(caught(() => parseNetDev('/proc/net/dev', read('debian12-vm/proc/net/tcp')))).toBeInstanceOf(EventProcessingFailed);
  });
});
