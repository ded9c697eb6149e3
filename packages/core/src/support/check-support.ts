import { readFile, access } from 'node:fs/promises';
import { release } from 'node:os';
import { NativeUnavailable } from '../errors/taxonomy.js';
import { ATTACH_KINDS, type NativeSupportProvider, type SupportProblem, type SupportReport } from './support-report.js';

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

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
  const btf = await exists(btfPath);
  if (!btf) add('BTF_UNAVAILABLE', 'kernel BTF', `${btfPath} is missing`, 'Use a kernel with CONFIG_DEBUG_INFO_BTF=y or pass a BTF file for this kernel (btfPath).');

  const capHex = /^CapEff:\s*([0-9a-f]+)/m.exec(await text(`${proc}/self/status`) ?? '')?.[1] ?? '0';
  const caps = BigInt(`0x${capHex}`);
  const has = (bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;
  const capabilities = { effective: capHex, CAP_BPF: has(CAP_BPF), CAP_PERFMON: has(CAP_PERFMON), CAP_SYS_ADMIN: has(CAP_SYS_ADMIN) };
  const privileged = capabilities.CAP_SYS_ADMIN || (capabilities.CAP_BPF && capabilities.CAP_PERFMON);
  if (!privileged) {
    add('INSUFFICIENT_PERMISSIONS', 'capabilities', 'the process has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON',
      'Run as root, or: setcap cap_bpf,cap_perfmon+ep "$(readlink -f "$(which node)")"');
  }

  const unpriv = await text(`${proc}/sys/kernel/unprivileged_bpf_disabled`);
  const unprivilegedBpfDisabled = unpriv === null ? null : Number.parseInt(unpriv, 10);
  const lockRaw = await text(`${sys}/kernel/security/lockdown`);
  const lockdown = lockRaw === null ? null : (/\[(\w+)\]/.exec(lockRaw)?.[1] ?? null);
  if (lockdown === 'confidentiality') {
    add('INSUFFICIENT_PERMISSIONS', 'lockdown', 'kernel lockdown=confidentiality forbids reading kernel memory from BPF', 'Boot with lockdown=integrity or none.');
  }

  const mounts = (await text(`${proc}/mounts`)) ?? '';
  const mountOf = (type: string): string | null => mounts.split('\n').map((l) => l.split(' ')).find((f) => f[2] === type)?.[1] ?? null;
  const tracefs = mountOf('tracefs');
  const bpffs = mountOf('bpf');

  const native = await loadProvider(options.native);
  const report: SupportReport = {
    platform: process.platform, arch: process.arch, kernel: release(),
    btf: { available: btf, path: btfPath }, capabilities, unprivilegedBpfDisabled, lockdown, tracefs, bpffs,
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
    report.attachTypes[kind] = p.error ? { supported: p.supported, error: pick(p.error) } : { supported: p.supported };
    if (!p.supported && p.error) add(p.error.code, `${kind} attach`, p.error.message, p.error.remedy);
  }
  report.ebpfUsable = privileged && ATTACH_KINDS.some((k) => report.attachTypes[k]?.supported === true);
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

async function text(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
