// The eBPF connection table against `ss -tanp` (iproute2) taken right before and after a
// reading, in the test process's own network namespace (the one the socket iterators walk):
// every TCP socket both ss lists show alike is in the reading with the same ports and state,
// and where the reading names an owner, ss names it among the socket's holders. The test's
// own connection is among them, with its exact owners, and a listener older than the source
// with the holder procfs gave when the source started.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createConsoleLogger, validateConfig, type SourceContext } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { netEbpfSource } from '../test/ebpf-source.js';
import { parseSs, type SsRow } from '../test/ss.js';
import { tcpEnd, type Workload } from '../test/workloads.js';
import type { NetConnection } from './records.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };

// Ports and addresses; a wildcard ss writes as `*` matches any address.
const key = (r: Pick<SsRow, 'localPort' | 'remotePort'>): string => `${r.localPort} ${r.remotePort}`;
// ss shows a request socket (the kernel's NEW_SYN_RECV) as SYN-RECV.
const ssState = (c: NetConnection): string => (c.state === 'NEW_SYN_RECV' ? 'SYN_RECV' : c.state);

/** Rows whose key is the only one of its list with that key. */
function unique<T>(rows: readonly T[], k: (r: T) => string): Map<string, T> {
  const count = new Map<string, number>();
  for (const r of rows) count.set(k(r), (count.get(k(r)) ?? 0) + 1);
  return new Map(rows.filter((r) => count.get(k(r)) === 1).map((r) => [k(r), r]));
}

describeKernel('net eBPF source: the connection table agrees with ss -tanp', () => {
  const source = netEbpfSource();
  const ends: Workload[] = [];
  let early: Workload;
  let earlyPort = 0;

  beforeAll(async () => {
    // A listener older than the source, idle since: the kernel never saw its owner.
    early = tcpEnd('server', 4, 0, 0, 0, 'netb-ss-early');
    earlyPort = Number(await early.line());
    await source.init(context);
    const server = tcpEnd('server', 4, 0, 10, 20, 'netb-ss-srv');
    ends.push(server);
    const client = tcpEnd('client', 4, Number(await server.line()), 20, 10, 'netb-ss-cli');
    ends.push(client);
    await client.line();
    expect([await server.line(), await client.line()]).toEqual(['done', 'done']);
  });
  afterAll(async () => {
    await Promise.all([...ends, early].map((w) => w?.stop()));
    await source.close();
  });

  it('lists every socket ss lists alike before and after, with its ports, state and an owner ss names', async () => {
    const ss = (): SsRow[] => parseSs(execFileSync('ss', ['-tanpH'], { encoding: 'utf8' }), 'tcp');
    const before = ss();
    const m = await source.read({ signal: new AbortController().signal });
    const after = unique(ss(), key);
    const ours = unique(m.connections.filter((c) => c.protocol === 'tcp'), key);
    const inBoth = [...unique(before, key).values()].filter((r) => {
      const a = after.get(key(r));
      return a !== undefined && a.state === r.state && a.pids.join() === r.pids.join();
    });
    const mismatches = inBoth.flatMap((r) => {
      const c = ours.get(key(r));
      const ok = c !== undefined && ssState(c) === r.state && (c.pid === null || r.pids.length === 0 || r.pids.includes(c.pid));
      return ok ? [] : [{ ss: r, ours: c && { state: c.state, pid: c.pid, comm: c.comm } }];
    });
    expect(mismatches).toEqual([]);
    const [server, client] = ends;
    const mine = inBoth.filter((r) => r.pids.includes(server!.pid) || r.pids.includes(client!.pid)).map((r) => ours.get(key(r))!.pid).sort((a, b) => a! - b!);
    expect(mine).toEqual([server!.pid, client!.pid].sort((a, b) => a - b));
    // The older listener's holder comes from the /proc/<pid>/fd scan made when the source started.
    const listener = m.connections.find((c) => c.protocol === 'tcp' && c.localPort === earlyPort && c.state === 'LISTEN');
    expect({ pid: listener?.pid, comm: listener?.comm, owner: m.fieldSources['connections.owner'] }).toEqual({ pid: early.pid, comm: 'netb-ss-early', owner: 'procfs' });
  });
});
