import { constants } from 'node:fs';
import { readFile, access } from 'node:fs/promises';
import { release } from 'node:os';
import { DataUnavailable, InsufficientPermissions, NativeUnavailable } from '../errors/taxonomy.js';
import { readMountTable } from './mount-table.js';
import { readBpfCapabilities } from './process-capabilities.js';
import { ATTACH_KINDS, type NativeSupportProvider, type SupportProblem, type SupportReport } from './support-report.js';

/** Options of {@link checkSupport}. */
export interface SupportOptions {
  /** The native layer; by default `@bpfscope/native` is imported on demand. */
  native?: NativeSupportProvider;
  /** @default '/proc' */
  procRoot?: string;
  /** @default '/sys' */
  sysRoot?: string;
}

/**
 * Report what this machine offers for eBPF, probing each attach type for real, and
 * name each missing piece with its remedy.
 *
 * @example
 * ```ts
 * const report = await checkSupport();
 * for (const p of report.problems) console.log(`${p.feature}: ${p.remedy}`);
 * ```
 * @param options - a native provider and roots for tests
 * @returns the report; never throws for a missing feature
 */
export async function checkSupport(options: SupportOptions = {}): Promise<SupportReport> {
  const proc = options.procRoot ?? '/proc';
  const sys = options.sysRoot ?? '/sys';
  const problems: SupportProblem[] = [];
  const add = (code: string, feature: string, message: string, remedy: string): void => void problems.push({ code, feature, message, remedy });

  if (process.platform !== 'linux') add('UNSUPPORTED_PLATFORM', 'platform', `platform is ${process.platform}`, 'Run on Linux.');

  const btfPath = `${sys}/kernel/btf/vmlinux`;
  const btfAccess = await readable(btfPath);
  const btf = btfAccess === null;
  if (btfAccess === 'ENOENT') add('BTF_UNAVAILABLE', 'kernel BTF', `${btfPath} is missing`, 'Use a kernel with CONFIG_DEBUG_INFO_BTF=y or pass a BTF file for this kernel (btfPath).');
  else if (btfAccess !== null) {
    add('BTF_UNAVAILABLE', 'kernel BTF', `${btfPath} could not be read: ${btfAccess}`, `Make ${btfPath} readable by this process (sysfs mounted with its default modes), or pass a BTF file for this kernel (btfPath).`);
  }

  const unavailable: SupportReport['unavailable'] = {};
  const capRead = readBpfCapabilities(`${proc}/self/status`);
  if (capRead.capabilities === null) unavailable.capabilities = capRead.reason;
  const caps = capRead.capabilities;
  const capabilities = { effective: caps?.effective ?? null, CAP_BPF: caps?.CAP_BPF ?? null, CAP_PERFMON: caps?.CAP_PERFMON ?? null, CAP_SYS_ADMIN: caps?.CAP_SYS_ADMIN ?? null };
  // null: unknown. The attach probes below then say what really works.
  const privileged = caps === null ? null : caps.CAP_SYS_ADMIN || (caps.CAP_BPF && caps.CAP_PERFMON);
  if (privileged === false) {
    const refused = new InsufficientPermissions('using bpf()', ['CAP_SYS_ADMIN', 'CAP_BPF+CAP_PERFMON']);
    add(refused.code, 'capabilities', 'the process has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON', refused.remedy);
  }

  const unpriv = await text(`${proc}/sys/kernel/unprivileged_bpf_disabled`);
  const unprivilegedBpfDisabled = 'value' in unpriv ? Number.parseInt(unpriv.value, 10) : null;
  if ('reason' in unpriv) unavailable.unprivilegedBpfDisabled = unpriv.reason;
  const lockRaw = await text(`${sys}/kernel/security/lockdown`);
  const lockdown = 'value' in lockRaw ? (/\[(\w+)\]/.exec(lockRaw.value)?.[1] ?? null) : null;
  if ('reason' in lockRaw) unavailable.lockdown = `${lockRaw.reason} (securityfs not mounted or no lockdown LSM)`;
  else if (lockdown === null) unavailable.lockdown = `${sys}/kernel/security/lockdown names no active mode: ${JSON.stringify(lockRaw.value)}`;
  if (lockdown === 'confidentiality') {
    add('INSUFFICIENT_PERMISSIONS', 'lockdown', 'kernel lockdown=confidentiality forbids reading kernel memory from BPF', 'Boot with lockdown=integrity or none.');
  }

  let tracefs: string | null = null;
  let bpffs: string | null = null;
  try {
    const mounts = readMountTable(`${proc}/mounts`);
    tracefs = mounts.find((m) => m.type === 'tracefs')?.target ?? null;
    bpffs = mounts.find((m) => m.type === 'bpf')?.target ?? null;
  } catch (e) {
    if (!(e instanceof DataUnavailable)) throw e;
    unavailable.tracefs = e.message;
    unavailable.bpffs = e.message;
  }

  const native = await loadProvider(options.native);
  const report: SupportReport = {
    platform: process.platform, arch: process.arch, kernel: release(),
    btf: { available: btf, path: btfPath }, capabilities, unprivilegedBpfDisabled, lockdown, tracefs, bpffs, unavailable,
    native: { loaded: false, libbpf: null }, attachTypes: {}, ebpfUsable: false, problems,
  };
  if ('error' in native) {
    report.native.error = native.error;
    add(native.error.code, 'native addon', native.error.message, native.error.remedy);
    return report;
  }
  const avail = native.provider.isNativeAvailable();
  if (!avail.ok) {
    report.native.error = pick(avail.error);
    add(avail.error.code, 'native addon', avail.error.message, avail.error.remedy);
    return report;
  }
  report.native = { loaded: true, libbpf: native.provider.libbpfVersion() };
  const probes = await native.provider.probeAttachTypes();
  for (const kind of ATTACH_KINDS) {
    const p = probes[kind];
    if (!p) continue;
    report.attachTypes[kind] = { supported: p.supported, ...(p.cause === undefined ? {} : { cause: p.cause }), ...(p.error ? { error: pick(p.error) } : {}) };
    if (!p.supported && p.error) add(p.error.code, `${kind} attach`, p.error.message, p.error.remedy);
  }
  report.ebpfUsable = privileged !== false && ATTACH_KINDS.some((k) => report.attachTypes[k]?.supported === true);
  return report;
}

async function loadProvider(given?: NativeSupportProvider): Promise<{ provider: NativeSupportProvider } | { error: { code: string; message: string; remedy: string } }> {
  if (given) return { provider: given };
  // A variable specifier: core must not depend on native at build time (native depends on core).
  const specifier = '@bpfscope/native';
  try {
    const mod: unknown = await import(specifier);
    if (isProvider(mod)) return { provider: mod };
    return { error: pick(new NativeUnavailable([specifier], 'the module does not export isNativeAvailable, libbpfVersion and probeAttachTypes')) };
  } catch (e) {
    return { error: pick(new NativeUnavailable([specifier], e instanceof Error ? e.message : String(e), { cause: e })) };
  }
}

function isProvider(mod: unknown): mod is NativeSupportProvider {
  const m = mod as Record<string, unknown> | null;
  return !!m && typeof m.isNativeAvailable === 'function' && typeof m.libbpfVersion === 'function' && typeof m.probeAttachTypes === 'function';
}

function pick(e: { code: string; message: string; remedy: string }): { code: string; message: string; remedy: string } {
  return { code: e.code, message: e.message, remedy: e.remedy };
}

async function text(path: string): Promise<{ value: string } | { reason: string }> {
  try {
    return { value: (await readFile(path, 'utf8')).trim() };
  } catch (e) {
    return { reason: `${path} could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Null when `path` is readable, else the error code (`ENOENT` for a missing file). */
async function readable(path: string): Promise<string | null> {
  try {
    await access(path, constants.R_OK);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}
