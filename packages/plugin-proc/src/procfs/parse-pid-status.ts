import { parseFailure } from '@bpfscope/core';

/** The four IDs of a `Uid:` or `Gid:` line of /proc/&lt;pid&gt;/status. */
export interface StatusIds {
  /** Real ID. */
  real: number;
  /** Effective ID (used for permission checks). */
  effective: number;
  /** Saved set-ID. */
  saved: number;
  /** File-system ID. */
  filesystem: number;
}

/** The parts of /proc/&lt;pid&gt;/status that bpfscope uses. Sizes are in bytes. */
export interface PidStatus {
  /** `Name:` the command name (as in stat's comm). */
  name: string;
  /** `Uid:` real, effective, saved and file-system user IDs. */
  uid: StatusIds;
  /** `Gid:` real, effective, saved and file-system group IDs. */
  gid: StatusIds;
  /** `Threads:` threads in the process. */
  threads: number;
  /** `VmRSS:` resident set size, bytes; null when the line is absent (kernel threads have no memory map). */
  vmRssBytes: number | null;
  /** `VmSize:` virtual memory size, bytes; null when absent (kernel threads). */
  vmSizeBytes: number | null;
  /** `VmHWM:` peak resident set size, bytes; null when absent (kernel threads). */
  vmHwmBytes: number | null;
  /** `voluntary_ctxt_switches:` switches where the task gave up the CPU (blocked); null before Linux 2.6.23. */
  voluntaryCtxtSwitches: number | null;
  /** `nonvoluntary_ctxt_switches:` switches where the task was preempted; null before Linux 2.6.23. */
  nonvoluntaryCtxtSwitches: number | null;
}

const UINT = /^\d+$/;
const KB = /^(\d+) kB$/;

/** Where a line is: its number (1-based), and the file's text with the line's bounds (the line is cut out only for an error). */
interface At {
  path: string;
  line: number;
  text: string;
  from: number;
  to: number;
}

const fail = (at: At, why: string): never => {
  throw parseFailure(at.path, at.line, at.text.slice(at.from, at.to), why);
};
const uint = (at: At, key: string, value: string): number => (UINT.test(value) ? Number(value) : fail(at, `${key} "${value.slice(0, 30)}" is not a non-negative integer`));
const kb = (at: At, key: string, value: string): number => {
  const m = KB.exec(value);
  return m ? Number(m[1]) * 1024 : fail(at, `${key} "${value.slice(0, 30)}" is not "<n> kB"`);
};
const ids = (at: At, key: string, value: string): StatusIds => {
  const parts = value.split(/\s+/);
  if (parts.length !== 4 || !parts.every((p) => UINT.test(p))) fail(at, `${key} "${value.slice(0, 40)}" is not four integers`);
  const [real, effective, saved, filesystem] = parts.map(Number) as [number, number, number, number];
  return { real, effective, saved, filesystem };
};

type UsedKey = 'Name' | 'Uid' | 'Gid' | 'Threads' | 'VmRSS' | 'VmSize' | 'VmHWM' | 'voluntary_ctxt_switches' | 'nonvoluntary_ctxt_switches';

/**
 * The used key that `text` has from `pos` to `colon`, or null: told by its length, then
 * compared in place, so that none of the ~50 other lines makes a string.
 */
function usedKey(text: string, pos: number, colon: number): UsedKey | null {
  const is = (key: UsedKey): UsedKey | null => (text.startsWith(key, pos) ? key : null);
  switch (colon - pos) {
    case 3: return is('Uid') ?? is('Gid');
    case 4: return is('Name');
    case 5: return is('VmRSS') ?? is('VmHWM');
    case 6: return is('VmSize');
    case 7: return is('Threads');
    case 23: return is('voluntary_ctxt_switches');
    case 26: return is('nonvoluntary_ctxt_switches');
    default: return null;
  }
}

/**
 * Parse /proc/&lt;pid&gt;/status (`Key:<TAB>value` lines). Lines it does not use are skipped,
 * but each must still have the `Key:` form.
 * @param text - the file's content
 * @param path - the file's path, for errors
 * @returns the identity, thread count, memory sizes and context switches
 * @throws {@link @bpfscope/core!EventProcessingFailed} naming the path and line for a line without `:`, a
 *   `Uid:`/`Gid:` line without four integers, a non-integer `Threads:` or context-switch
 *   count, a `Vm*:` size that is not `<n> kB`, or a missing `Name:`, `Uid:`, `Gid:` or
 *   `Threads:` line (line number: one past the end)
 */
export function parsePidStatus(text: string, path: string): PidStatus {
  const out: Partial<PidStatus> = { vmRssBytes: null, vmSizeBytes: null, vmHwmBytes: null, voluntaryCtxtSwitches: null, nonvoluntaryCtxtSwitches: null };
  let line = 0;
  // Lines one by one without splitting the file; a final newline ends the last line.
  for (let pos = 0; pos < text.length; ) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon >= end) fail({ path, line, text, from: pos, to: end }, 'not a "Key: value" line');
    const key = usedKey(text, pos, colon);
    if (key !== null) {
      const value = text.slice(colon + 1, end).trim();
      const at: At = { path, line, text, from: pos, to: end };
      switch (key) {
        case 'Name': out.name = value; break;
        case 'Uid': out.uid = ids(at, key, value); break;
        case 'Gid': out.gid = ids(at, key, value); break;
        case 'Threads': out.threads = uint(at, key, value); break;
        case 'VmRSS': out.vmRssBytes = kb(at, key, value); break;
        case 'VmSize': out.vmSizeBytes = kb(at, key, value); break;
        case 'VmHWM': out.vmHwmBytes = kb(at, key, value); break;
        case 'voluntary_ctxt_switches': out.voluntaryCtxtSwitches = uint(at, key, value); break;
        case 'nonvoluntary_ctxt_switches': out.nonvoluntaryCtxtSwitches = uint(at, key, value); break;
      }
    }
    pos = end + 1;
  }
  for (const key of ['name', 'uid', 'gid', 'threads'] as const) {
    if (out[key] === undefined) {
      const label = { name: 'Name', uid: 'Uid', gid: 'Gid', threads: 'Threads' }[key];
      throw parseFailure(path, line + 1, '', `no ${label}: line (truncated file?)`);
    }
  }
  return out as PidStatus;
}
