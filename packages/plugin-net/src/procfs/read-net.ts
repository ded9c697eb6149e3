import { isBpfscopeError, ratePerSecond, type Clock, type ProcfsReader } from '@bpfscope/core';
import type { ResolvedNetOptions } from '../options.js';
import type { NetConnection, NetField, NetInterface, NetMetrics, NetTotals } from '../records.js';
import { hostsByConnections, processesByConnections, socketCounts } from '../read/aggregates.js';
import { connectionPasses } from '../read/select-connections.js';
import { FALLBACK_UNAVAILABLE } from './fallback-reasons.js';
import { netTargets, type NetTarget } from './net-targets.js';
import { OwnerCgroups } from './owner-cgroups.js';
import { parseSnmp } from './parse-snmp.js';
import { parseSocketTable, type KernelSocket } from './parse-socket-table.js';
import { readProcInterfaces, readSysfsInterfaces, type InterfaceRead } from './read-interfaces.js';
import { scanSocketOwners, type SocketOwners } from './socket-owners.js';
import { stateName } from './tcp-states.js';

const TABLES = [['tcp', 'tcp', 4], ['tcp6', 'tcp', 6], ['udp', 'udp', 4], ['udp6', 'udp', 6]] as const;

type Parts = Pick<NetMetrics, 'errors' | 'unavailable'>;

// Missing input makes a part unavailable (with the reason, added to any already given);
// malformed input is recorded with its taxonomy error; anything else is a bug and propagates.
function attempt<T>(parts: Parts, field: NetField, read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (!isBpfscopeError(e)) throw e;
    if (e.code === 'DATA_UNAVAILABLE') parts.unavailable[field] = parts.unavailable[field] ? `${parts.unavailable[field]}; ${e.message}` : e.message;
    else parts.errors[field] ??= e;
    return null;
  }
}

/**
 * One reading of the net family from procfs and sysfs, and the previous interface counters
 * for rates.
 * @internal
 */
export class NetProcfsReader {
  #prev = new Map<string, { rx: number; tx: number }>();
  #prevAtNs: bigint | null = null;
  #since = '';

  constructor(private readonly procfs: ProcfsReader, private readonly clock: Clock, private readonly options: ResolvedNetOptions) {}

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
    const counters: Record<string, number> = {};
    let countersRead = false;
    const rates = new Map<string, { rx: number; tx: number }>();
    for (const t of targets) {
      if (t.netns !== null) m.netNamespaces.push(t.netns);
      this.#interfaces(t, m, rates, now);
      for (const [file, protocol, family] of TABLES) {
        const rel = `${t.dir}/${file}`;
        const table = attempt(m, 'connections', () => parseSocketTable(`${this.procfs.procRoot}/${rel}`, this.procfs.readProc(rel), protocol, family));
        if (table === null) continue;
        if (table.skipped > 0) m.skippedLines[rel] = table.skipped;
        for (const s of table.sockets) all.push(connection(s, t, owners, cgroupOf));
      }
      for (const file of ['snmp', 'netstat']) {
        const rel = `${t.dir}/${file}`;
        const parsed = attempt(m, 'totals', () => parseSnmp(`${this.procfs.procRoot}/${rel}`, this.procfs.readProc(rel)));
        if (parsed === null) continue;
        countersRead = true;
        if (parsed.skipped > 0) m.skippedLines[rel] = parsed.skipped;
        for (const [k, v] of Object.entries(parsed.counters)) counters[k] = (counters[k] ?? 0) + v;
      }
    }
    this.#prev = rates;
    this.#prevAtNs = now;
    m.totals = countersRead || all.length > 0 ? totals(all, counters) : null;
    const passed = all.filter((c) => connectionPasses(c, this.options));
    m.connectionCount = passed.length;
    m.connections = passed.slice(0, this.options.maxConnections);
    const atLeast = (n: number): boolean => n >= this.options.minConnections;
    m.hosts = hostsByConnections(passed).filter((h) => atLeast(h.connections)).slice(0, this.options.topK);
    m.processes = processesByConnections(passed, owners.comms, cgroupByPid).filter((p) => atLeast(p.openConnections)).slice(0, this.options.topK);
    return m;
  }

  #interfaces(t: NetTarget, m: NetMetrics, rates: Map<string, { rx: number; tx: number }>, now: bigint): void {
    let read: InterfaceRead | null = null;
    if (t.own) {
      try {
        read = readSysfsInterfaces(this.procfs);
      } catch (e) {
        if (!isBpfscopeError(e)) throw e; // no sysfs here: /proc/net/dev below
      }
    }
    read ??= attempt(m, 'interfaces', () => readProcInterfaces(this.procfs, `${t.dir}/dev`));
    if (read === null) return;
    if (read.skipped > 0) m.skippedLines[read.source === 'sysfs' ? `${this.procfs.sysRoot}/class/net` : `${t.dir}/dev`] = read.skipped;
    if (read.source === 'sysfs') m.fieldSources.interfaces = 'sysfs';
    const ms = this.#prevAtNs === null ? 0 : Number(now - this.#prevAtNs) / 1e6;
    for (const c of read.interfaces) {
      const key = `${t.netns}:${c.name}`;
      const before = this.#prev.get(key);
      rates.set(key, { rx: c.rxBytes, tx: c.txBytes });
      const iface: NetInterface = {
        ...c,
        netNamespace: t.netns,
        rxBytesPerSec: before ? ratePerSecond(before.rx, c.rxBytes, ms) : null,
        txBytesPerSec: before ? ratePerSecond(before.tx, c.txBytes, ms) : null,
        source: read.source,
      };
      m.interfaces.push(iface);
    }
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
