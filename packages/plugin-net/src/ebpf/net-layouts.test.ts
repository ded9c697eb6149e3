import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { readStructLayouts } from '@bpfscope/native';
import { NET_OBJECT_PATH } from '../object-path.js';
import { netLayouts } from './net-layouts.js';

describe('netLayouts', () => {
  const layouts = readStructLayouts(readFileSync(NET_OBJECT_PATH), NET_OBJECT_PATH);

  it('finds every record the decoders read in the shipped object, with the sizes they read', () => {
    const l = netLayouts(layouts);
    // Offsets come from BTF: the first members sit where net.h puts them.
    expect([l.conn.cookie, l.conn.protocol, l.event.type, l.hostKey.family, l.hostKey.addr]).toEqual([0, 8, 0, 0, 4]);
    expect(l.conn.size).toBe(layouts.get('net_conn')!.size);
  });

  it('fails with LoadFailed naming the member when a layout drifts', () => {
    const conn = layouts.get('net_conn')!;
    const drifted = new Map(layouts).set('net_conn', { ...conn, fields: { ...conn.fields, sport: { ...conn.fields.sport!, size: 2 } } });
    expect(() => netLayouts(drifted)).toThrow(LoadFailed);
    expect(() => netLayouts(drifted)).toThrow(/net_conn field sport/);
  });
});
