/** Attach types that bpfscope knows how to use, in order of preference. */
export type AttachKind = 'tp_btf' | 'raw_tp' | 'tracepoint' | 'kprobe' | 'fentry' | 'uprobe' | 'iter' | 'perf_event';

/** All attach kinds. */
export const ATTACH_KINDS: readonly AttachKind[] = ['tp_btf', 'raw_tp', 'tracepoint', 'kprobe', 'fentry', 'uprobe', 'iter', 'perf_event'];

/** A problem found by the support check: what is missing, and the exact remedy. */
export interface SupportProblem {
  /** Stable error code of the problem. */
  code: string;
  /** What is missing. */
  feature: string;
  message: string;
  remedy: string;
}

/** Result of probing one attach type for real. */
export interface AttachProbe {
  supported: boolean;
  /** Why not, when not supported (or why it could not be probed). */
  error?: { code: string; message: string; remedy: string };
}

/** Everything {@link checkSupport} found. */
export interface SupportReport {
  platform: string;
  arch: string;
  /** `uname -r`. */
  kernel: string;
  btf: { available: boolean; path: string };
  capabilities: { effective: string; CAP_BPF: boolean; CAP_PERFMON: boolean; CAP_SYS_ADMIN: boolean };
  /** kernel.unprivileged_bpf_disabled: 0, 1, 2, or null when unreadable. */
  unprivilegedBpfDisabled: number | null;
  /** The active lockdown mode (`none`, `integrity`, `confidentiality`), or null when securityfs is not readable. */
  lockdown: string | null;
  /** Where tracefs is mounted, or null. */
  tracefs: string | null;
  /** Where bpffs is mounted, or null. */
  bpffs: string | null;
  native: { loaded: boolean; libbpf: string | null; error?: { code: string; message: string; remedy: string } };
  /** Every attach type, probed by loading and attaching a real program. Empty when the addon is not loaded. */
  attachTypes: Partial<Record<AttachKind, AttachProbe>>;
  /** True when eBPF sources can be used at all (addon loaded, privileges, BTF, at least one attach type). */
  ebpfUsable: boolean;
  /** Each missing piece with its remedy. */
  problems: SupportProblem[];
}

/** What the support check needs from `@bpfscope/native`; given explicitly or imported on demand. */
export interface NativeSupportProvider {
  isNativeAvailable(): { ok: true } | { ok: false; error: { code: string; message: string; remedy: string } };
  libbpfVersion(): string;
  probeAttachTypes(): Promise<Partial<Record<AttachKind, { supported: boolean; error?: { code: string; message: string; remedy: string } }>>>;
}
