import { EventProcessingFailed } from '@bpfscope/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caught } from '../../../../test/caught.js';
import { parseSnmp } from './parse-snmp.js';

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(`../../test/fixtures/${rel}`, import.meta.url)), 'utf8');

describe('parseSnmp', () => {
  it('reads /proc/net/snmp of a real capture as Group.Name, negative values included', () => {
    const t = parseSnmp('/proc/net/snmp', read('debian12-vm/proc/net/snmp'));
    const c = t.counters;
    expect([c['Tcp.MaxConn'], c['Tcp.ActiveOpens'], c['Tcp.PassiveOpens'], c['Tcp.CurrEstab'], c['Tcp.RetransSegs'], c['Tcp.OutRsts'], c['Tcp.EstabResets']]).toEqual([-1, 34, 8, 6, 0, 34, 0]);
    expect([c['Udp.InDatagrams'], c['Udp.OutDatagrams'], c['Ip.InReceives'], c['IcmpMsg.InType3'], c['UdpLite.InDatagrams']]).toEqual([56, 57, 2765, 1, 0]);
    expect(Object.keys(c).length).toBe(20 + 29 + 1 + 15 + 9 + 9);
    expect(t.skipped).toBe(0);
  });

  it('reads /proc/net/netstat (TcpExt, IpExt, MPTcpExt)', () => {
    const c = parseSnmp('/proc/net/netstat', read('debian12-vm/proc/net/netstat')).counters;
    expect([c['TcpExt.ListenDrops'], c['TcpExt.ListenOverflows'], c['TcpExt.TW'], c['IpExt.InOctets'], c['IpExt.OutOctets']]).toEqual([0, 0, 13, 82653732, 325828]);
  });

  it('a values line that is missing or cut short skips its group, counted; the other groups are read', () => {
    const t = parseSnmp('/proc/net/snmp', read('malformed/snmp-truncated'));
    expect(Object.keys(t.counters).filter((k) => k.startsWith('Tcp.') || k.startsWith('Udp.'))).toEqual([]);
    expect([t.counters['Ip.InReceives'], t.counters['Icmp.InMsgs'], t.counters['IcmpMsg.InType3']]).toEqual([2765, 1, 1]);
    expect(t.skipped).toBe(2);
    expect(t.firstSkip?.message).toBe('/proc/net/snmp line 7: the values line of Tcp is missing or belongs to another group (truncated file?)');
  });

  it('an empty file is a taxonomy error', () => {
    expect(caught(() => parseSnmp('/proc/net/snmp', read('malformed/empty')))).toBeInstanceOf(EventProcessingFailed);
  });
});
