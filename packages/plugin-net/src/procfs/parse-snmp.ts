import { parseFailure, type EventProcessingFailed } from '@bpfscope/core';

/** What {@link parseSnmp} gives. @internal */
export interface SnmpCounters {
  /** Every counter as `Group.Name`, e.g. `Tcp.RetransSegs`, `TcpExt.ListenDrops`. */
  counters: Record<string, number>;
  /** Groups (pairs of lines) that could not be parsed (counted, never fatal). */
  skipped: number;
  /** Why the first skipped group was skipped. */
  firstSkip: EventProcessingFailed | null;
}

/**
 * Parse /proc/net/snmp or /proc/net/netstat: pairs of lines, `Group: Name1 Name2 ...` then
 * `Group: v1 v2 ...` (integers, possibly negative, e.g. `Tcp: MaxConn -1`). A pair whose
 * groups differ, whose counts differ or whose values are not integers is skipped and
 * counted; a file with no pair at all is an error.
 * @param path - the file's path, for errors
 * @param text - its content
 * @returns the counters by `Group.Name`
 * @throws {@link @bpfscope/core!EventProcessingFailed} for a file with no group
 * @internal
 */
export function parseSnmp(path: string, text: string): SnmpCounters {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw parseFailure(path, 1, '', 'empty file: no counter groups');
  const out: SnmpCounters = { counters: {}, skipped: 0, firstSkip: null };
  for (let i = 0; i < lines.length; ) {
    const names = lines[i]!;
    const values = lines[i + 1] ?? '';
    const why = pairProblem(names, values);
    if (why !== null) {
      out.skipped++;
      out.firstSkip ??= parseFailure(path, i + 1, names, why);
      // A line whose partner is missing is skipped alone, so the next pair still lines up.
      i += sameGroup(names, values) ? 2 : 1;
      continue;
    }
    i += 2;
    const group = names.slice(0, names.indexOf(':'));
    const n = names.slice(group.length + 1).trim().split(/\s+/);
    const v = values.slice(group.length + 1).trim().split(/\s+/);
    n.forEach((name, k) => (out.counters[`${group}.${name}`] = Number(v[k])));
  }
  return out;
}

function sameGroup(a: string, b: string): boolean {
  const g = /^(\w+):/.exec(a)?.[1];
  return g !== undefined && b.startsWith(`${g}:`);
}

function pairProblem(names: string, values: string): string | null {
  const g1 = /^(\w+):/.exec(names)?.[1];
  const g2 = /^(\w+):/.exec(values)?.[1];
  if (g1 === undefined) return 'no "Group:" prefix';
  if (g2 !== g1) return `the values line of ${g1} is missing or belongs to another group (truncated file?)`;
  const n = names.slice(g1.length + 1).trim().split(/\s+/);
  const v = values.slice(g1.length + 1).trim().split(/\s+/);
  if (n.length !== v.length) return `${g1}: ${n.length} names but ${v.length} values`;
  if (!v.every((x) => /^-?\d+$/.test(x))) return `${g1}: a value is not an integer`;
  if (!n.every((x) => /^\w+$/.test(x))) return `${g1}: a name is not a word`;
  return null;
}
