// Dropping capabilities from every thread of the process (src/native/capabilities.cc), and
// the check of what each thread holds afterwards, read back from /proc/self/task.
import { readdirSync, readFileSync } from 'node:fs';
import { ConfigError, type PrivilegeDropReport, type ThreadHoldingCapabilities } from '@bpfscope/core';
import { loadNative } from './loader.js';

/** Capability numbers (linux/capability.h) of the names bpfscope drops or checks. */
const NUMBERS: Readonly<Record<string, number>> = {
  CAP_DAC_READ_SEARCH: 2,
  CAP_SETPCAP: 8,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_RESOURCE: 24,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
};

/** How long the drop waits for each round of threads to answer, ms. */
const WAIT_MS = 2000;

/** The capability sets of one thread, from its status file. @internal */
export interface ThreadCapabilities {
  tid: number;
  name: string;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
  bounding: bigint;
}

/**
 * Every thread of this process with its capability sets (`/proc/self/task/<tid>/status`).
 * A thread that ended while being read is left out.
 * @internal
 */
export function readThreadCapabilities(): ThreadCapabilities[] {
  const out: ThreadCapabilities[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
    } catch {
      continue;
    }
    const hex = (key: string): bigint => BigInt(`0x${/^Cap(\w+):\s*([0-9a-f]+)$/m.exec(text.slice(text.indexOf(`Cap${key}:`)))?.[2] ?? '0'}`);
    out.push({ tid: Number(tid), name: /^Name:\s*(.*)$/m.exec(text)?.[1] ?? '', effective: hex('Eff'), permitted: hex('Prm'), inheritable: hex('Inh'), ambient: hex('Amb'), bounding: hex('Bnd') });
  }
  return out;
}

/** The names of `names` whose bit is set in `set`. @internal */
export function capabilitiesIn(set: bigint, names: readonly string[]): string[] {
  return names.filter((n) => ((set >> BigInt(NUMBERS[n]!)) & 1n) === 1n);
}

/**
 * Drops capabilities from every thread of the process: from the effective, permitted and
 * inheritable sets (and so the ambient set), and from the bounding set when the process
 * holds CAP_SETPCAP. Linux keeps capabilities per thread; the addon signals each thread
 * (as libcap's psx does) so that each drops its own. A thread that blocks every signal
 * (Node's SIGUSR1 watcher thread does) is stopped inside the system call it sleeps in by
 * a short-lived child process with ptrace, made to drop them itself, and put back into
 * that call (x86_64). Then this function reads every thread's status back and reports the
 * threads that still hold any, with why.
 *
 * What the process holds open keeps working: maps, links, ring buffers and iterators are
 * used through their file descriptors. Loading or attaching programs afterwards is refused.
 * This acts on the whole process: call it only in a process whose job is collecting
 * (engines do it with config `dropPrivileges: true`).
 *
 * @param capabilities - names to drop: `CAP_BPF`, `CAP_PERFMON`, `CAP_SYS_ADMIN`, `CAP_SYS_RESOURCE`, ...
 * @returns what was done, per thread
 * @throws {@link @bpfscope/core!ConfigError} for a name not known here
 * @throws {@link @bpfscope/core!NativeUnavailable} when the addon cannot be loaded
 * @example
 * ```ts
 * const report = dropCapabilities(['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_RESOURCE']);
 * if (report.holding.length > 0) console.warn(report.holding);
 * ```
 */
export function dropCapabilities(capabilities: readonly string[]): PrivilegeDropReport {
  for (const c of capabilities) if (NUMBERS[c] === undefined) throw new ConfigError('capabilities', c, `one of ${Object.keys(NUMBERS).join(', ')}`);
  const native = loadNative();
  if (!native.dropCapabilities) throw new ConfigError('dropCapabilities', 'this addon', 'an addon built with capabilities.cc (npm run build:native)');
  const done = native.dropCapabilities(capabilities.map((c) => NUMBERS[c]!), WAIT_MS);
  const outcome = new Map(done.threads.map((t) => [t.tid, t]));
  const threads = readThreadCapabilities();
  const holding: ThreadHoldingCapabilities[] = [];
  for (const t of threads) {
    const held = capabilitiesIn(t.effective | t.permitted | t.inheritable | t.ambient, capabilities);
    if (held.length === 0) continue;
    const o = outcome.get(t.tid);
    const why = !o
      ? 'started after the drop by a thread that still held them'
      : o.result === 'failed'
        ? `capset failed with errno ${o.errno}`
        : o.method === 'ptrace' && o.errno !== 0
          ? `${o.result}: tracing it to make it drop them failed with errno ${o.errno}`
          : o.result;
    holding.push({ tid: t.tid, name: t.name, held, why });
  }
  // The threads in `holding` were not reached at all: they keep their bounding set too.
  const unreached = new Set(holding.map((h) => h.tid));
  const boundingHeld = threads.filter((t) => !unreached.has(t.tid) && capabilitiesIn(t.bounding, capabilities).length > 0).length;
  const bounding = done.bounding
    ? { dropped: boundingHeld === 0, reason: boundingHeld === 0 ? null : `${boundingHeld} reached thread(s) keep them in the bounding set` }
    : { dropped: false, reason: 'the process lacks CAP_SETPCAP, which dropping from the bounding set needs' };
  return {
    capabilities: [...capabilities],
    at: new Date().toISOString(),
    threads: threads.length,
    threadsWithout: threads.length - holding.length,
    holding,
    bounding,
    error: null,
  };
}
