import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStructLayouts } from '@bpfscope/native';
import { NET_OBJECT_PATH } from '../object-path.js';
import { AddressTexts, decodeConnections } from './decode-connections.js';
import { netLayouts } from './net-layouts.js';
import { PROBE_EVERY, RowReuse } from './row-reuse.js';

const layouts = netLayouts(readStructLayouts(readFileSync(NET_OBJECT_PATH), NET_OBJECT_PATH));
const o = layouts.conn;
const toEpochMs = (ns: number): number => 1_000 + ns / 1e6;

/** Rows of struct net_conn as the iterators write them: an owned TCP connection and an unowned UDP socket. */
function table(sentBytes: number, withTcp = true): Uint8Array {
  const rows = withTcp ? 2 : 1;
  const bytes = new Uint8Array(o.size * rows);
  const v = new DataView(bytes.buffer);
  let at = 0;
  if (withTcp) {
    v.setBigUint64(at + o.cookie, 41n, true);
    v.setUint32(at + o.protocol, 6, true);
    v.setUint32(at + o.family, 2, true);
    bytes.set([127, 0, 0, 1], at + o.saddr);
    bytes.set([127, 0, 0, 2], at + o.daddr);
    v.setUint32(at + o.sport, 40_000, true);
    v.setUint32(at + o.dport, 8080, true);
    v.setUint32(at + o.state, 1, true);
    v.setUint32(at + o.owned, 1, true);
    v.setUint32(at + o.pid, 321, true);
    v.setUint32(at + o.tcp_full, 1, true);
    v.setBigUint64(at + o.bytes_sent, BigInt(sentBytes), true);
    v.setBigUint64(at + o.bytes_received, 700n, true);
    v.setBigUint64(at + o.base_sent, 100n, true);
    v.setBigUint64(at + o.start_ns, 5_000_000n, true);
    bytes.set(new TextEncoder().encode('client'), at + o.comm);
    at += o.size;
  }
  v.setBigUint64(at + o.cookie, 42n, true);
  v.setUint32(at + o.protocol, 17, true);
  v.setUint32(at + o.family, 2, true);
  v.setUint32(at + o.sport, 5353, true);
  v.setUint32(at + o.state, 7, true);
  v.setBigUint64(at + o.inode, 9_001n, true);
  return bytes;
}

describe('decodeConnections with rows reused from reading to reading', () => {
  const earlier = { byInode: new Map([[9_001, [77, 78]]]), comms: new Map([[77, 'resolver']]) };
  const plain = (bytes: Uint8Array) => decodeConnections([bytes], layouts, toEpochMs, new AddressTexts(), earlier);

  it('hands out the same connection for a row whose bytes did not change, equal to a fresh decode', () => {
    const reuse = new RowReuse();
    const a = decodeConnections([table(1_000)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    reuse.end();
    const b = decodeConnections([table(1_000)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    reuse.end();
    expect(reuse.reused).toBe(2);
    expect(b.connections[0]).toBe(a.connections[0]);
    expect(b.connections[1]).toBe(a.connections[1]);
    const fresh = plain(table(1_000));
    expect(b).toEqual(fresh);
    expect(b.connections[0]).toMatchObject({ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.2', state: 'ESTABLISHED', pid: 321, comm: 'client', bytesSent: 1_000 });
    expect(b.connections[1]).toMatchObject({ protocol: 'udp', pid: 77, pids: [77, 78], comm: 'resolver' });
    expect([b.byPid.get(321)?.bytesSent, b.byHost.get('127.0.0.2')?.bytesSent, b.ownersFromProcfs]).toEqual([900, 900, 1]);
  });

  it('decodes a row again when any byte changed, and forgets sockets gone from the table', () => {
    const reuse = new RowReuse();
    const a = decodeConnections([table(1_000)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    reuse.end();
    const b = decodeConnections([table(1_500)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    reuse.end();
    expect(reuse.reused).toBe(1);
    expect(b.connections[0]).not.toBe(a.connections[0]);
    expect(b.connections[0]!.bytesSent).toBe(1_500);
    expect(b.byPid.get(321)?.bytesSent).toBe(1_400);
    expect(b).toEqual(plain(table(1_500)));
    // The TCP socket leaves the table, then a row with its cookie comes back: decoded, not the old object.
    decodeConnections([table(1_500, false)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    reuse.end();
    const d = decodeConnections([table(1_500)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    reuse.end();
    expect(d.connections[0]).not.toBe(b.connections[0]);
    expect(d.connections[0]).toEqual(b.connections[0]);
    expect(reuse.reused).toBe(1);
  });

  it('stops keeping rows while most of them change, and keeps them again once a probe finds the table quiet', () => {
    const reuse = new RowReuse();
    const read = (sent: number, withTcp = true) => {
      const t = decodeConnections([table(sent, withTcp)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
      reuse.end();
      return t;
    };
    // Only the TCP row, its counter moving at every reading: nothing reused, and after the
    // second reading nothing kept.
    let reading = 0;
    read(1_000 + reading++, false);
    read(1_000 + reading++, false);
    expect([reuse.reused, reuse.keeping]).toEqual([1, true]);
    const busy = (n: number) => decodeConnections([table(2_000 + n)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    busy(reading++); // TCP row new, UDP row reused: half
    reuse.end();
    expect(reuse.keeping).toBe(true);
    const changing = (): ReturnType<typeof decodeConnections> => {
      const bytes = table(3_000 + reading);
      new DataView(bytes.buffer).setUint32(o.size + o.recv_queue, reading, true); // the UDP row changes too
      reading++;
      const t = decodeConnections([bytes], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
      reuse.end();
      return t;
    };
    changing();
    expect([reuse.reused, reuse.keeping]).toEqual([0, false]);
    // Not kept: the same bytes twice are decoded twice, until the probe reading.
    const quiet = () => decodeConnections([table(9_999)], layouts, toEpochMs, new AddressTexts(), earlier, reuse);
    let probed = -1;
    for (let i = 0; i < PROBE_EVERY && probed < 0; i++) {
      quiet();
      if (reuse.keeping) probed = i;
      reuse.end();
      expect(reuse.reused).toBe(0);
    }
    expect(probed).toBeGreaterThanOrEqual(0);
    const a = quiet();
    reuse.end();
    const b = quiet();
    reuse.end();
    expect(reuse.reused).toBe(2);
    expect(b.connections[0]).toBe(a.connections[0]);
    expect(b).toEqual(plain(table(9_999)));
  });
});
