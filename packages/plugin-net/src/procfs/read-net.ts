import type { Clock, ProcfsReader } from '@bpfscope/core';
import type { ResolvedNetOptions } from '../options.js';
import type { NetConnection, NetField, NetMetrics, NetTotals } from '../records.js';
import { hostsByConnections, processesByConnections, socketCounts } from '../read/aggregates.js';
import { connectionPasses } from '../read/select-connections.js';
import { FALLBACK_UNAVAILABLE } from './fallback-reasons.js';
import { netTargets, type NetTarget } from './net-targets.js';
import { OwnerCgroups } from './owner-cgroups.js';
import { parseSocketTable, type KernelSocket } from './parse-socket-table.js';
import { attempt, InterfaceAndCounterReads } from './side-reads.js';
import { scanSocketOwners, type SocketOwners } from './socket-owners.js';
import { stateName } from './tcp-states.js';

const TABLES = [['tcp', 'tcp', 4], ['tcp6', 'tcp', 6], ['udp', 'udp', 4], ['udp6', 'udp', 6]] as const;

/**
 * One reading of the net family from procfs and sysfs, and the previous interface counters
 * for rates.
 * @internal
 */
export class NetProcfsReader {
  readonly #side: InterfaceAndCounterReads;
  #prevAtNs: bigint | null = null;
  #since = '';

  constructor(private readonly procfs: ProcfsReader, private readonly clock: Clock, private readonly options: ResolvedNetOptions) {
    this.#side = new InterfaceAndCounterReads(procfs, clock, options);
  }

  /** Take the baseline of the interface counters, so that the first reading has rates. */
  start(): void {
    this.#since = new Date(this.clock.wallMs()).toISOString();
    this.read();
  }

  /** @returns one reading */
  read(): NetMetrics {
    const now = this.clock.monotonicNs();
    const m: NetMetrics = {
      countersSince: this.#since, intervalMs: this.#prevAtNs === null ? null : Number(now - this.#prevAtNs) / 1e6,
      netNamespaces: [], interfaces: [], hosts: [], connections: [], connectionCount: 0, processes: [], totals: null, kernel: null,
      skippedLines: {}, fieldSources: {}, unavailable: { ...FALLBACK_UNAVAILABLE }, errors: {},
    };
    const { targets, missing } = netTargets(this.procfs, this.options.netNamespaces);
    if (missing.length > 0) m.unavailable.connections = `no process lives in network namespace(s) ${missing.join(', ')}: there is no /proc/<pid>/net to read them through`;
    const owners = scanSocketOwners(this.procfs);
    if (owners.unreadable > 0) m.unavailable['connections.owner'] = `the descriptors of ${owners.unreadable} process(es) could not be listed (permission denied: run as root or with CAP_SYS_PTRACE); their sockets show no pid`;
    const cgroups = new OwnerCgroups(this.procfs);
    if (cgroups.noV2 !== null) m.unavailable['connections.cgroupId'] = cgroups.noV2;
    const cgroupByPid = new Map<number, number | null>();
    const cgroupOf = (pid: number): number | null => {
      if (!cgroupByPid.has(pid)) cgroupByPid.set(pid, cgroups.of(pid));
      return cgroupByPid.get(pid)!;
    };
    const all: NetConnection[] = [];
    const side = this.#side.read(targets, now);
    Object.assign(m.fieldSources, side.fieldSources);
    Object.assign(m.skippedLines, side.skippedLines);
    Object.assign(m.errors, side.errors);
    for (const [k, why] of Object.entries(side.unavailable)) m.unavailable[k as NetField] = why;
    m.interfaces = side.interfaces;
    for (const t of targets) {
      if (t.netns !== null) m.netNamespaces.push(t.netns);
      for (const [file, protocol, family] of TABLES) {
        const rel = `${t.dir}/${file}`;
        const table = attempt(m, 'connections', () => parseSocketTable(`${this.procfs.procRoot}/${rel}`, this.procfs.readProc(rel), protocol, family));
        if (table === null) continue;
        if (table.skipped > 0) m.skippedLines[rel] = table.skipped;
        for (const s of table.sockets) all.push(connection(s, t, owners, cgroupOf));
      }
    }
    this.#prevAtNs = now;
    m.totals = side.counters !== null || all.length > 0 ? totals(all, side.counters ?? {}) : null;
    const passed = all.filter((c) => connectionPasses(c, this.options));
    m.connectionCount = passed.length;
    m.connections = passed.slice(0, this.options.maxConnections);
    const atLeast = (n: number): boolean => n >= this.options.minConnections;
    m.hosts = hostsByConnections(passed).filter((h) => atLeast(h.connections)).slice(0, this.options.topK);
    m.processes = processesByConnections(passed, owners.comms, cgroupByPid).filter((p) => atLeast(p.openConnections)).slice(0, this.options.topK);
    return m;
  }
}

function connection(s: KernelSocket, t: NetTarget, owners: SocketOwners, cgroupOf: (pid: number) => number | null): NetConnection {
  const pids = s.inode === 0 ? [] : owners.byInode.get(s.inode) ?? [];
  const pid = pids[0] ?? null;
  return {
    protocol: s.protocol, family: s.family,
    localAddress: s.localAddress, localPort: s.localPort, remoteAddress: s.remoteAddress, remotePort: s.remotePort,
    state: stateName(s.stateCode), stateCode: s.stateCode,
    pid, comm: pid === null ? null : owners.comms.get(pid) ?? null, pids,
    inode: s.inode, uid: s.uid, cgroupId: pid === null ? null : cgroupOf(pid), netNamespace: t.netns,
    bytesSent: null, bytesReceived: null, packetsSent: null, packetsReceived: null, retransmits: null, rttUs: null, startTime: null, lastActivity: null,
    sendQueueBytes: s.txQueue, receiveQueueBytes: s.rxQueue,
  };
}

function totals(all: readonly NetConnection[], counters: Record<string, number>): NetTotals {
  const n = (k: string): number | null => counters[k] ?? null;
  return {
    ...socketCounts(all),
    retransmits: n('Tcp.RetransSegs'),
    resetsSent: n('Tcp.OutRsts'),
    resetsReceived: null,
    establishedResets: n('Tcp.EstabResets'),
    drops: null,
    dropsByReason: null,
    counters,
  };
}
