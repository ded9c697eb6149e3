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
  /** What was found, e.g. `/sys/kernel/btf/vmlinux is missing`. */
  message: string;
  /** The exact step that fixes it: a command, a kernel option or a boot parameter. */
  remedy: string;
}

/**
 * Why an attach type does not work here:
 * - `privilege`: the process lacks a capability (`error.details.needed` names it);
 * - `tracefs-not-mounted`: the attach type needs tracefs, which is not mounted;
 * - `kernel-config`: the kernel was built without the feature (e.g. CONFIG_KPROBES);
 * - `kernel-refuses`: the kernel refuses it although the process holds every capability (a policy or build choice, not the version);
 * - `kernel-version`: the kernel is older than the first one with the feature;
 * - `other`: none of these could be told apart; `error` has the kernel's answer.
 */
export type AttachCause = 'privilege' | 'tracefs-not-mounted' | 'kernel-config' | 'kernel-refuses' | 'kernel-version' | 'other';

/** The report fields that can be unknown, as keys of {@link SupportReport.unavailable}. */
export type SupportCheck = 'capabilities' | 'unprivilegedBpfDisabled' | 'lockdown' | 'tracefs' | 'bpffs';

/** Result of probing one attach type for real. */
export interface AttachProbe {
  /** True when a test program of this attach type loaded and attached on this kernel. */
  supported: boolean;
  /** Why not, when not supported; absent when the provider did not classify the failure. */
  cause?: AttachCause;
  /** Why not, when not supported (or why it could not be probed). */
  error?: {
    /** Stable error code, e.g. `INCOMPATIBLE_KERNEL`. */
    code: string;
    /** What failed, with the feature and its minimum kernel where known. */
    message: string;
    /** What to do about it. */
    remedy: string;
  };
}

/** Everything {@link checkSupport} found. */
export interface SupportReport {
  /** `process.platform`; eBPF needs `linux`. */
  platform: string;
  /** `process.arch`, e.g. `x64` or `arm64`. */
  arch: string;
  /** `uname -r`. */
  kernel: string;
  /** Kernel BTF, which CO-RE programs need. */
  btf: {
    /** True when the file at `path` exists and this process may read it; a problem names which of the two failed. */
    available: boolean;
    /** Where kernel BTF was looked for: `<sysRoot>/kernel/btf/vmlinux`. */
    path: string;
  };
  /**
   * Effective capabilities of this process, from `CapEff` in `<procRoot>/self/status`;
   * CAP_SYS_ADMIN alone, or CAP_BPF with CAP_PERFMON, is enough for every family (uprobes
   * need CAP_SYS_ADMIN). Every field is null when the file could not be read, with the reason
   * in `unavailable.capabilities`: unknown is not reported as "none".
   */
  capabilities: {
    /** The CapEff bit mask as the kernel prints it (hex digits, no `0x`), or null when unknown. */
    effective: string | null;
    /** Whether CAP_BPF (bit 39, Linux 5.8+) is effective, or null when unknown. */
    CAP_BPF: boolean | null;
    /** Whether CAP_PERFMON (bit 38, Linux 5.8+) is effective, or null when unknown. */
    CAP_PERFMON: boolean | null;
    /** Whether CAP_SYS_ADMIN (bit 21) is effective, or null when unknown. */
    CAP_SYS_ADMIN: boolean | null;
  };
  /** kernel.unprivileged_bpf_disabled: 0, 1, 2, or null when unreadable (reason in `unavailable`). */
  unprivilegedBpfDisabled: number | null;
  /** The active lockdown mode (`none`, `integrity`, `confidentiality`), or null when it could not be read (reason in `unavailable`). */
  lockdown: string | null;
  /** Where tracefs is mounted, or null when it is not mounted or the mount table could not be read (then `unavailable.tracefs` says why). */
  tracefs: string | null;
  /** Where bpffs is mounted, or null when it is not mounted or the mount table could not be read (then `unavailable.bpffs` says why). */
  bpffs: string | null;
  /** What could not be checked, and why; a field listed here is null in the report, meaning unknown rather than absent. */
  unavailable: Partial<Record<SupportCheck, string>>;
  /** State of the `@bpfscope/native` addon. */
  native: {
    /** True when the addon was imported and its binary loaded. */
    loaded: boolean;
    /** Version of the libbpf the addon runs with, `major.minor`, or null when the addon is not loaded. */
    libbpf: string | null;
    /** Why the addon is not loaded; absent when it is. */
    error?: {
      /** Stable error code, normally `NATIVE_UNAVAILABLE`. */
      code: string;
      /** Why the import or the load failed, including the loader's own message. */
      message: string;
      /** What to do about it. */
      remedy: string;
    };
  };
  /** Every attach type, probed by loading and attaching a real program. Empty when the addon is not loaded. */
  attachTypes: Partial<Record<AttachKind, AttachProbe>>;
  /** True when eBPF sources can be used at all (addon loaded, privileges, BTF, at least one attach type). */
  ebpfUsable: boolean;
  /** Each missing piece with its remedy. */
  problems: SupportProblem[];
}

/** What the support check needs from `@bpfscope/native`; given explicitly or imported on demand. */
export interface NativeSupportProvider {
  /** Whether the addon's binary loads; must not throw. */
  isNativeAvailable():
    | {
        /** The addon loaded. */
        ok: true;
      }
    | {
        /** The addon did not load; `error` says why. */
        ok: false;
        /** Why the addon did not load. */
        error: {
          /** Stable error code, normally `NATIVE_UNAVAILABLE`. */
          code: string;
          /** What failed, including the loader's own message. */
          message: string;
          /** What to do about it. */
          remedy: string;
        };
      };
  /** Version of the libbpf the addon runs with, `major.minor`; called only after `isNativeAvailable()` returned `ok: true`. */
  libbpfVersion(): string;
  /** Probes attach types by loading and attaching a real program of each; kinds it leaves out are left out of the report. */
  probeAttachTypes(): Promise<Partial<Record<AttachKind, {
    /** True when the test program of this attach type loaded and attached. */
    supported: boolean;
    /** Why not, when not supported. */
    cause?: AttachCause;
    /** Why not, when not supported (or why it could not be probed). */
    error?: {
      /** Stable error code, e.g. `INCOMPATIBLE_KERNEL`. */
      code: string;
      /** What failed. */
      message: string;
      /** What to do about it. */
      remedy: string;
    };
  }>>>;
}
