/**
 * Stable error codes of the bpfscope error taxonomy. A code never changes once
 * published: embedders may switch on it.
 */
export type ErrorCode =
  | 'UNSUPPORTED_PLATFORM'
  | 'INSUFFICIENT_PERMISSIONS'
  | 'INCOMPATIBLE_KERNEL'
  | 'BTF_UNAVAILABLE'
  | 'NATIVE_UNAVAILABLE'
  | 'LOAD_FAILED'
  | 'ATTACH_FAILED'
  | 'MAP_OPERATION_FAILED'
  | 'EVENT_PROCESSING_FAILED'
  | 'CONFIG_ERROR'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'DATA_UNAVAILABLE';

/** Options shared by every bpfscope error. */
export interface BpfscopeErrorOptions {
  /** What the user can do about it. Each subclass has a default. */
  remedy?: string;
  /** Machine-readable context (paths, names, numbers). */
  details?: Record<string, unknown>;
  /** The underlying error, kept as the ES2022 `cause`. */
  cause?: unknown;
  /** errno of a failed system call, positive (e.g. 1 for EPERM). */
  errno?: number;
  /** The operation that failed, e.g. `bpf_object__load`. */
  op?: string;
}

/** Plain-object form of a {@link BpfscopeError}. */
export interface BpfscopeErrorJson {
  /** Stable code. */
  code: ErrorCode;
  /** Class name, e.g. `LoadFailed`. */
  name: string;
  /** What went wrong. */
  message: string;
  /** What to do about it. */
  remedy: string;
  /** Structured context. */
  details: Record<string, unknown>;
  /** errno of the failed system call, when one failed. */
  errno?: number;
  /** The failed operation, when known. */
  op?: string;
}

/**
 * Base class of every error bpfscope raises or records. Each carries a stable
 * {@link ErrorCode}, a human `message`, a `remedy` and structured `details`.
 */
export class BpfscopeError extends Error {
  /** Stable code; see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** What to do about it. */
  readonly remedy: string;
  /** Structured context. */
  readonly details: Readonly<Record<string, unknown>>;
  /** errno of the failed system call, when one failed. */
  readonly errno: number | undefined;
  /** The failed operation, when known. */
  readonly op: string | undefined;

  /**
   * @param code - stable error code
   * @param message - what went wrong, in one sentence
   * @param options - remedy, details, cause, errno, op
   */
  constructor(code: ErrorCode, message: string, options: BpfscopeErrorOptions & { remedy: string }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.remedy = options.remedy;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    this.errno = options.errno;
    this.op = options.op;
  }

  /** A plain-object form for JSON output and logs. */
  toJSON(): BpfscopeErrorJson {
    const out: BpfscopeErrorJson = {
      code: this.code,
      name: this.name,
      message: this.message,
      remedy: this.remedy,
      details: { ...this.details },
    };
    if (this.errno !== undefined) out.errno = this.errno;
    if (this.op !== undefined) out.op = this.op;
    return out;
  }
}

/** True when `value` is a {@link BpfscopeError} (works across duplicated package copies by checking the shape). */
export function isBpfscopeError(value: unknown): value is BpfscopeError {
  if (value instanceof BpfscopeError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { remedy?: unknown }).remedy === 'string'
  );
}
