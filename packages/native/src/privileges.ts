import { readBpfCapabilities, type CapabilitiesResult } from '@bpfscope/core';

let cached: CapabilitiesResult | undefined;

/**
 * This process's eBPF capabilities, read once: CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, or
 * null with the reason when /proc/self/status could not be read.
 * @internal
 */
export function bpfCapabilities(): CapabilitiesResult {
  cached ??= readBpfCapabilities();
  return cached;
}

/**
 * True when the process holds CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON: then an EPERM
 * from loading a program is a kernel policy (lockdown, a missing config option), not
 * something a capability would fix. Null when the capabilities could not be read
 * ({@link bpfCapabilities} has the reason): unknown is not "no".
 * @internal
 */
export function hasFullBpfPrivileges(): boolean | null {
  const caps = bpfCapabilities().capabilities;
  if (caps === null) return null;
  return caps.CAP_SYS_ADMIN || (caps.CAP_BPF && caps.CAP_PERFMON);
}
