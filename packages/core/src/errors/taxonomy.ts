import { BpfscopeError, type BpfscopeErrorOptions } from './bpfscope-error.js';

type Opts = BpfscopeErrorOptions;

/** The platform is not Linux, or not an architecture bpfscope ships for. */
export class UnsupportedPlatform extends BpfscopeError {
  /** @param platform - `process.platform`-`process.arch` that was found */
  constructor(readonly platform: string, options: Opts = {}) {
    super('UNSUPPORTED_PLATFORM', `eBPF is not available on ${platform}; bpfscope needs Linux`, {
      remedy: 'Run on Linux (x86_64). On other platforms only the fallback sources that read procfs can work, and they need Linux too.',
      ...options,
      details: { platform, ...options.details },
    });
  }
}

/** The process lacks a capability or a sysctl forbids the operation. */
export class InsufficientPermissions extends BpfscopeError {
  /**
   * @param operation - what was refused, e.g. `load BPF program`
   * @param needed - capabilities that would allow it
   */
  constructor(readonly operation: string, readonly needed: readonly string[], options: Opts = {}) {
    super('INSUFFICIENT_PERMISSIONS', `${operation} was refused: the process lacks ${needed.join(' or ')}`, {
      remedy:
        'Run as root, or give this process CAP_BPF and CAP_PERFMON (uprobes also need CAP_SYS_ADMIN): a systemd unit with AmbientCapabilities=, ' +
        'a container with --cap-add BPF --cap-add PERFMON, or a dedicated copy of node with file capabilities, never setcap on the system node ' +
        '(docs/running-without-root.md). With kernel.unprivileged_bpf_disabled=1 or 2 only privileged processes may use bpf().',
      ...options,
      details: { operation, needed, ...options.details },
    });
  }
}

/** A kernel feature is missing. Names the feature and the first kernel that has it. */
export class IncompatibleKernel extends BpfscopeError {
  /**
   * @param feature - the missing feature, e.g. `fentry attach`
   * @param minimumKernel - first upstream kernel with the feature, e.g. `5.5`
   */
  constructor(readonly feature: string, readonly minimumKernel: string, options: Opts = {}) {
    super('INCOMPATIBLE_KERNEL', `${feature} is not supported by this kernel (needs Linux ${minimumKernel} or newer with it enabled)`, {
      remedy: `Use a kernel ${minimumKernel}+ with the feature enabled, or let bpfscope fall back (mode "auto").`,
      ...options,
      details: { feature, minimumKernel, ...options.details },
    });
  }
}

/** No kernel BTF: CO-RE programs cannot be relocated. */
export class BtfUnavailable extends BpfscopeError {
  /** @param pathsTried - where BTF was looked for */
  constructor(readonly pathsTried: readonly string[], options: Opts = {}) {
    super('BTF_UNAVAILABLE', `kernel BTF was not found (looked in ${pathsTried.join(', ')})`, {
      remedy: 'Use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or pass a BTF file for this kernel as the btfPath option (BTFHub has them for many distribution kernels).',
      ...options,
      details: { pathsTried, ...options.details },
    });
  }
}

/** The native addon could not be loaded (no fitting prebuild and no source build). */
export class NativeUnavailable extends BpfscopeError {
  /**
   * @param pathsTried - directories the loader searched
   * @param loaderMessage - the loader's own message
   */
  constructor(readonly pathsTried: readonly string[], readonly loaderMessage: string, options: Opts = {}) {
    super('NATIVE_UNAVAILABLE', `the bpfscope native addon could not be loaded: ${loaderMessage}`, {
      remedy: 'Install libbpf1 (apt-get install libbpf1) and reinstall @bpfscope/native: its prebuilt addon fits Linux x86_64 with glibc and needs no compiler. On another platform, build the addon from a clone of the repository (npm run build:native; see the @bpfscope/native README). Until then bpfscope uses its procfs/sysfs fallbacks.',
      ...options,
      details: { pathsTried, loaderMessage, ...options.details },
    });
  }
}

/** The kernel refused to load a program; `verifierLog` holds the tail of the verifier's log. */
export class LoadFailed extends BpfscopeError {
  /**
   * @param object - object name or path
   * @param verifierLog - last lines of the verifier / libbpf log
   */
  constructor(readonly object: string, message: string, readonly verifierLog: string, options: Opts = {}) {
    super('LOAD_FAILED', `loading ${object} failed: ${message}`, {
      remedy: 'Read the verifier log in details.verifierLog. A corrupt or missing object that a bpfscope package ships: reinstall that package (in a clone of the repository: npm run build:bpf). A kernel without a needed feature needs mode "fallback".',
      ...options,
      details: { object, verifierLog, ...options.details },
    });
  }
}

/** A program could not be attached to its hook. */
export class AttachFailed extends BpfscopeError {
  /**
   * @param program - program name
   * @param attachPoint - section / hook, e.g. `tp_btf/sched_switch`
   */
  constructor(readonly program: string, readonly attachPoint: string, message: string, options: Opts = {}) {
    super('ATTACH_FAILED', `attaching ${program} to ${attachPoint} failed: ${message}`, {
      remedy: 'Check that the hook exists on this kernel (bpfscope doctor lists working attach types); kprobe and fentry are missing on many locked-down kernels.',
      ...options,
      details: { program, attachPoint, ...options.details },
    });
  }
}

/** A map operation (lookup, update, delete, batch) failed. */
export class MapOperationFailed extends BpfscopeError {
  /**
   * @param map - map name
   * @param operation - `lookup`, `update`, `batch_lookup`, ...
   */
  constructor(readonly map: string, readonly operation: string, message: string, options: Opts = {}) {
    super('MAP_OPERATION_FAILED', `${operation} on map ${map} failed: ${message}`, {
      remedy: 'Check key and value sizes against the map (bpfscope lists them), and map capacity: a full map refuses new keys (E2BIG).',
      ...options,
      details: { map, operation, ...options.details },
    });
  }
}

/** Events from a ring buffer or a read source could not be decoded or processed. */
export class EventProcessingFailed extends BpfscopeError {
  constructor(message: string, options: Opts = {}) {
    super('EVENT_PROCESSING_FAILED', message, {
      remedy: 'The input did not have the expected layout: check the file or event that the message and details name. When it came from a bpfscope package\'s eBPF object, its code and object disagree: reinstall the packages at one version (in a clone of the repository: npm run build:bpf).',
      ...options,
    });
  }
}

/** A configuration value is invalid. Names the path, the value and what is allowed. */
export class ConfigError extends BpfscopeError {
  /**
   * @param path - dotted path of the bad value, e.g. `families.cpu.mode`
   * @param value - the value that was given
   * @param allowed - what would have been accepted
   */
  constructor(readonly path: string, readonly value: unknown, readonly allowed: string, options: Opts = {}) {
    super('CONFIG_ERROR', `invalid config at ${path}: got ${describe(value)}, expected ${allowed}`, {
      remedy: `Set ${path} to ${allowed}, or leave it out to use the default.`,
      ...options,
      details: { path, value, allowed, ...options.details },
    });
  }
}

/** An operation took longer than its time limit. */
export class Timeout extends BpfscopeError {
  /**
   * @param operation - what timed out
   * @param ms - the limit that was exceeded
   */
  constructor(readonly operation: string, readonly ms: number, options: Opts = {}) {
    super('TIMEOUT', `${operation} did not finish within ${ms} ms`, {
      remedy: 'Raise operationTimeoutMs in the config, or look for a stalled file system or an overloaded machine.',
      ...options,
      details: { operation, ms, ...options.details },
    });
  }
}

/** The object or engine was closed before the call. */
export class Closed extends BpfscopeError {
  /** @param what - the closed thing */
  constructor(readonly what: string, options: Opts = {}) {
    super('CLOSED', `${what} is closed`, {
      remedy: 'Create a new instance; a closed one cannot be reopened.',
      ...options,
      details: { what, ...options.details },
    });
  }
}

/** A source cannot measure a value (or read its input). The value is reported absent, never estimated. */
export class DataUnavailable extends BpfscopeError {
  /**
   * @param what - the value or input, e.g. `/proc/pressure/cpu`
   * @param reason - why it cannot be measured
   */
  constructor(readonly what: string, readonly reason: string, options: Opts = {}) {
    super('DATA_UNAVAILABLE', `${what} is unavailable: ${reason}`, {
      remedy: 'See the reason; the value is left out rather than estimated.',
      ...options,
      details: { what, reason, ...options.details },
    });
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
