import { isBpfscopeError, parseFailure, type ProcfsReader, type SourceKind } from '@bpfscope/core';
import { parseNetDev, type InterfaceCounters, type NetDevTable } from './parse-net-dev.js';

/** Interface counters of one namespace and where they were read. @internal */
export interface InterfaceRead extends NetDevTable {
  source: SourceKind;
  /** Interfaces that vanished between listing and reading (sysfs). */
  vanished: number;
}

const STATS = ['rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped', 'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped'] as const;

/**
 * Counters of every interface in /sys/class/net/&lt;name&gt;/statistics (the namespace that
 * mounted sysfs: the reader's own). A counter file that is not a decimal number skips the
 * interface, counted; one that vanished meanwhile is counted as vanished.
 * @param procfs - the reader (`sysRoot`)
 * @returns the interfaces in the kernel's listing order
 * @throws {@link @bpfscope/core!DataUnavailable} when /sys/class/net cannot be listed
 * @internal
 */
export function readSysfsInterfaces(procfs: ProcfsReader): InterfaceRead {
  const out: InterfaceRead = { interfaces: [], skipped: 0, firstSkip: null, source: 'sysfs', vanished: 0 };
  for (const { name } of procfs.listSys('class/net')) {
    const values: number[] = [];
    try {
      for (const s of STATS) {
        const path = `class/net/${name}/statistics/${s}`;
        const text = procfs.readSys(path).trim();
        if (!/^\d+$/.test(text)) {
          out.skipped++;
          out.firstSkip ??= parseFailure(`${procfs.sysRoot}/${path}`, 1, text, 'not a decimal counter');
          break;
        }
        values.push(Number(text));
      }
    } catch (e) {
      if (!isBpfscopeError(e)) throw e;
      out.vanished++; // the interface went away (or has no statistics directory: not an interface)
      continue;
    }
    if (values.length !== STATS.length) continue;
    const [rxBytes, rxPackets, rxErrors, rxDropped, txBytes, txPackets, txErrors, txDropped] = values as [number, number, number, number, number, number, number, number];
    out.interfaces.push({ name, rxBytes, rxPackets, rxErrors, rxDropped, txBytes, txPackets, txErrors, txDropped });
  }
  return out;
}

/**
 * Counters of every interface from a /proc/net/dev (`net/dev` for the reader's namespace,
 * `<pid>/net/dev` for that process's).
 * @param procfs - the reader
 * @param rel - the file below procRoot
 * @returns the interfaces
 * @throws {@link @bpfscope/core!DataUnavailable} when the file cannot be read, or EventProcessingFailed when it has no header
 * @internal
 */
export function readProcInterfaces(procfs: ProcfsReader, rel: string): InterfaceRead {
  return { ...parseNetDev(`${procfs.procRoot}/${rel}`, procfs.readProc(rel)), source: 'procfs', vanished: 0 };
}

/** The counters of one interface, for rates. @internal */
export type InterfaceSample = Pick<InterfaceCounters, 'rxBytes' | 'txBytes'>;
