import { readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** The effective capabilities that matter for eBPF, as `CapEff` in `/proc/<pid>/status` gives them. */
export interface BpfCapabilities {
  /** The CapEff bit mask as the kernel prints it (hex digits, no `0x`). */
  effective: string;
  /** Whether CAP_BPF (bit 39, Linux 5.8+) is effective. */
  CAP_BPF: boolean;
  /** Whether CAP_PERFMON (bit 38, Linux 5.8+) is effective. */
  CAP_PERFMON: boolean;
  /** Whether CAP_SYS_ADMIN (bit 21) is effective. */
  CAP_SYS_ADMIN: boolean;
}

/** What {@link readBpfCapabilities} found: the capabilities, or why they could not be read. */
export type CapabilitiesResult =
  | {
      /** The capabilities were read. */
      capabilities: BpfCapabilities;
      /** Absent when read. */
      reason?: undefined;
    }
  | {
      /** Null: they could not be read (which is not the same as "none"). */
      capabilities: null;
      /** Why not: the file and the error, or the line that was missing or malformed. */
      reason: string;
    };

/**
 * The CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN bits of a process's effective set. An
 * unreadable status file, or one without a well-formed `CapEff:` line, gives null with the
 * reason: a process whose capabilities are unknown is not reported as having none.
 *
 * @param statusPath - the status file to read; `/proc/self/status` when left out
 * @returns the capabilities, or null and the reason
 * @example
 * ```ts
 * const { capabilities, reason } = readBpfCapabilities();
 * console.log(capabilities === null ? `unknown: ${reason}` : capabilities.CAP_BPF);
 * ```
 */
export function readBpfCapabilities(statusPath = '/proc/self/status'): CapabilitiesResult {
  let text: string;
  try {
    text = readFileSync(statusPath, 'utf8');
  } catch (e) {
    return { capabilities: null, reason: `${statusPath} could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  const line = /^CapEff:(.*)$/m.exec(text);
  if (line === null) return { capabilities: null, reason: `${statusPath} has no CapEff line` };
  const hex = /^\s*([0-9a-f]{1,16})\s*$/.exec(line[1] ?? '')?.[1];
  if (hex === undefined) return { capabilities: null, reason: `${statusPath} has a malformed CapEff line: ${JSON.stringify(line[0])}` };
  const caps = BigInt(`0x${hex}`);
  const has = (bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;
  return { capabilities: { effective: hex, CAP_BPF: has(CAP_BPF), CAP_PERFMON: has(CAP_PERFMON), CAP_SYS_ADMIN: has(CAP_SYS_ADMIN) } };
}
