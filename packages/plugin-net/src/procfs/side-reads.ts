import { isBpfscopeError, ratePerSecond, type Clock, type ProcfsReader } from '@bpfscope/core';
import type { ResolvedNetOptions } from '../options.js';
import type { NetField, NetInterface, NetMetrics } from '../records.js';
import { netTargets, type NetTarget } from './net-targets.js';
import { parseSnmp } from './parse-snmp.js';
import { readProcInterfaces, readSysfsInterfaces, type InterfaceRead } from './read-interfaces.js';

/** What {@link InterfaceAndCounterReads.read} gives: the interfaces and the SNMP counters, with what failed. @internal */
export type SideReading = Pick<NetMetrics, 'interfaces' | 'fieldSources' | 'unavailable' | 'errors' | 'skippedLines'> & {
  /** Every counter of /proc/net/snmp and netstat as `Group.Name`, summed over the namespaces read; null when none could be read. */
  counters: Record<string, number> | null;
};

type Parts = Pick<NetMetrics, 'errors' | 'unavailable'>;

/**
 * Missing input makes a part unavailable (with the reason, added to any already given);
 * malformed input is recorded with its taxonomy error; anything else is a bug and propagates.
 * @internal
 */
export function attempt<T>(parts: Parts, field: NetField, read: () => T): T | null {
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
 * What both sources of the net family read from procfs and sysfs: interface counters, with
 * rates against the previous reading, and the /proc/net/snmp and netstat counters, for
 * each network namespace the options name (the reader's own by default).
 * @internal
 */
export class InterfaceAndCounterReads {
  #prev = new Map<string, { rx: number; tx: number }>();
  #prevAtNs: bigint | null = null;

  constructor(private readonly procfs: ProcfsReader, private readonly clock: Clock, private readonly options: Pick<ResolvedNetOptions, 'netNamespaces'>) {}

  /**
   * @param targets - the namespaces to read (the caller's, when it has listed them already)
   * @param now - the reading's monotonic time, ns (the caller's, so that its interval and the rates' are one)
   * @returns this reading
   */
  read(targets: readonly NetTarget[] = netTargets(this.procfs, this.options.netNamespaces).targets, now: bigint = this.clock.monotonicNs()): SideReading {
    const out: SideReading = { interfaces: [], fieldSources: {}, unavailable: {}, errors: {}, skippedLines: {}, counters: null };
    const rates = new Map<string, { rx: number; tx: number }>();
    for (const t of targets) {
      this.#interfaces(t, out, rates, now);
      for (const file of ['snmp', 'netstat']) {
        const rel = `${t.dir}/${file}`;
        const parsed = attempt(out, 'totals', () => parseSnmp(`${this.procfs.procRoot}/${rel}`, this.procfs.readProc(rel)));
        if (parsed === null) continue;
        if (parsed.skipped > 0) out.skippedLines[rel] = parsed.skipped;
        out.counters ??= {};
        for (const [k, v] of Object.entries(parsed.counters)) out.counters[k] = (out.counters[k] ?? 0) + v;
      }
    }
    this.#prev = rates;
    this.#prevAtNs = now;
    return out;
  }

  #interfaces(t: NetTarget, out: SideReading, rates: Map<string, { rx: number; tx: number }>, now: bigint): void {
    let read: InterfaceRead | null = null;
    if (t.own) {
      try {
        read = readSysfsInterfaces(this.procfs);
      } catch (e) {
        if (!isBpfscopeError(e)) throw e; // no sysfs here: /proc/net/dev below
      }
    }
    read ??= attempt(out, 'interfaces', () => readProcInterfaces(this.procfs, `${t.dir}/dev`));
    if (read === null) return;
    if (read.skipped > 0) out.skippedLines[read.source === 'sysfs' ? `${this.procfs.sysRoot}/class/net` : `${t.dir}/dev`] = read.skipped;
    if (read.source === 'sysfs') out.fieldSources.interfaces = 'sysfs';
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
      out.interfaces.push(iface);
    }
  }
}
