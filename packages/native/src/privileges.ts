import { readFileSync } from 'node:fs';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

let cached: boolean | undefined;

/**
 * True when the process holds every capability eBPF can ask for (CAP_SYS_ADMIN,
 * or CAP_BPF with CAP_PERFMON). Then an EPERM from the kernel is a kernel policy
 * (lockdown, a missing config option), not something a capability would fix.
 * @internal
 */
export function hasFullBpfPrivileges(): boolean {
  cached ??= read();
  return cached;
}

function read(): boolean {
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (!match?.[1]) return false;
    const caps = BigInt(`0x${match[1]}`);
    const has = (bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;
    return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
  } catch {
    return false;
  }
}
