import { ConfigError } from '../errors/taxonomy.js';
import type { SamplingConfig } from './sampling-config.js';

/**
 * High-priority events named declaratively, so that a kernel program can judge them as
 * well as user space: an event is high when its process, its cgroup or its kind is listed.
 * Used as `match` of a priority setting (`{ strategy: 'priority', match: { pids: [42] }, otherwise: … }`).
 */
export interface PriorityMatch {
  /** Process ids (tgid): every event of these processes is high. */
  readonly pids?: readonly number[];
  /** cgroup v2 ids (the inode number of the cgroup's directory). */
  readonly cgroups?: readonly (number | bigint)[];
  /**
   * Event kinds, in the family's terms: proc `'fork' | 'exec' | 'exit'`; syscall a system call
   * name (`'openat'`) or number. In user space an event's kind is its `type`, `kind`, `name`
   * or `id` field.
   */
  readonly kinds?: readonly (string | number)[];
}

/**
 * The part of a {@link SamplingConfig} a source applied in the kernel (a
 * {@link SamplingPushdownResult.kernel}). Every part is optional; the kernel applies
 * them in this order: priority, tail, uniform, bucket.
 */
export interface KernelSamplingSetting {
  /** High events pass before any other decision, weight 1. */
  readonly priority?: PriorityMatch;
  /** Keep an event iff its value (syscall: the call's duration in ns) is ≥ this integer. */
  readonly tailThreshold?: number;
  /** 1-in-`every`: `counter` (a per-CPU counter: one CPU keeps exactly ⌈n/every⌉) or `random` (bpf_get_prandom_u32). */
  readonly uniform?: {
    /** Keep one event in this many. */
    readonly every: number;
    /** How the one is chosen. */
    readonly mode: 'counter' | 'random';
  };
  /** A token bucket (GCRA): at most `burst + ratePerSecond · T` events in T seconds. */
  readonly bucket?: {
    /** Events per second in the long run (an integer). */
    readonly ratePerSecond: number;
    /** Events let through at once (an integer). */
    readonly burst: number;
  };
}

/**
 * The kernel setting in force for a source's events, as {@link Source.samplingState}
 * reports it: for a family whose kernel object is shared by the engines of a process
 * (proc, mem), the setting may be another engine's.
 */
export interface KernelSamplingState {
  /** The kernel part in force, whoever put it there; null: none (every event passes). */
  readonly setting: KernelSamplingSetting | null;
  /** Whether another engine of the process put it there: this engine's own settings then run in user space. */
  readonly otherEngine: boolean;
}

/** What {@link Source.samplingPushdown} did with a setting. */
export interface SamplingPushdownResult<E = unknown> {
  /** What the kernel now applies, or null when it applies nothing (every event passes). */
  readonly kernel: KernelSamplingSetting | null;
  /** What user space must still apply to the events the kernel passed, or null for nothing. */
  readonly rest: SamplingConfig<E> | null;
}

/**
 * Exact counts of a source's kernel sampling decision, summed over CPUs. Every event
 * offered while a kernel setting was in force is in exactly one of `passed − highPassed`,
 * `highPassed`, `uniformAway`, `tailAway`, `refused`:
 * `offered = passed + sampledAway + refused` at every read.
 */
export interface KernelSamplingCounts {
  /** Events the decision saw (with a setting in force). */
  offered: number;
  /** Events it let through (to the ring buffer, where a full ring may still drop them). */
  passed: number;
  /** Of the passed: high-priority events. */
  highPassed: number;
  /** Events sampled away: `uniformAway + tailAway`. */
  sampledAway: number;
  /** Sampled away by the uniform decision. */
  uniformAway: number;
  /** Sampled away by the tail threshold. */
  tailAway: number;
  /** Refused by the token bucket. */
  refused: number;
  /** Of the refused: lost the compare-and-swap race to other CPUs on every try. */
  contended: number;
}

/** What a source's kernel decision can judge, for {@link splitSamplingForKernel}. */
export interface KernelSamplingAbilities {
  /** Whether its events carry a value the tail threshold can judge in the kernel (syscall in latency mode). */
  readonly tail: boolean;
  /** Which priority kinds it can look up (all of them for syscall and proc; mem has one kind of event). */
  readonly priority: {
    /** Whether it can look events up by process id. */
    readonly pids: boolean;
    /** Whether it can look them up by cgroup v2 id. */
    readonly cgroups: boolean;
    /** Whether its events have kinds it can look up. */
    readonly kinds: boolean;
  };
}

/** The largest uniform `every` the kernel takes (its random mode draws a 32-bit number). */
const MAX_EVERY = 0xffff_ffff;
/** Tail thresholds the kernel compares as u64: a larger one (≥ 2^64) stays in user space. */
const U64_LIMIT = 2 ** 64;
/**
 * The kernel's token bucket keeps `tat ≤ now + burst · ⌈10⁹/rate⌉` ns in a u64 (with its
 * tolerance `(burst − 1) · ⌈10⁹/rate⌉`): `burst · ⌈10⁹/rate⌉` may be at most 2^63 ns
 * (292 years), so that neither overflows while the machine's uptime is below 2^63 ns.
 */
const MAX_BUCKET_SPAN_NS = 2n ** 63n;

/** The largest burst the kernel's bucket takes at `rate` per second (see {@link MAX_BUCKET_SPAN_NS}). @internal */
export function maxKernelBurst(ratePerSecond: number): bigint {
  const interval = (1_000_000_000n + BigInt(ratePerSecond) - 1n) / BigInt(ratePerSecond);
  return MAX_BUCKET_SPAN_NS / interval;
}

/**
 * Splits a sampling setting into the part a kernel decision can apply and the rest, which
 * user space applies to what the kernel passed. Only whole settings move to the kernel:
 * `uniform` (unseeded: a seed asks for a reproducible user-space draw), `tail` with a
 * threshold (when the source can judge it), `token-bucket` with an integer rate and burst,
 * `priority` with a `match` (no `classify`, no `classes`) whose `otherwise` is one of those
 * (or `all`). Anything else stays in user space whole.
 *
 * @param config - the setting, validated; null: no sampling
 * @param can - what the source's kernel decision judges
 * @param path - the setting's path, for errors
 * A tail threshold of 2^64 or more (no u64 value reaches it) stays in user space whole.
 *
 * @returns the kernel part (null: nothing) and the user-space rest (null: nothing)
 * @throws {@link ConfigError} for a priority `match` naming a kind the source cannot look up,
 *   or a token bucket whose `burst · ⌈10⁹/ratePerSecond⌉` exceeds 2^63 ns (the kernel's u64 arithmetic would overflow), at `<path>.burst`
 */
export function splitSamplingForKernel<E>(config: SamplingConfig<E> | null, can: KernelSamplingAbilities, path = 'sampling'): SamplingPushdownResult<E> {
  if (config === null || config.strategy === 'all') return { kernel: null, rest: null };
  if (config.strategy === 'priority') {
    if (config.match === undefined || config.classify !== undefined || config.classes !== undefined) return { kernel: null, rest: config };
    const m = config.match;
    const asked = { pids: (m.pids?.length ?? 0) > 0, cgroups: (m.cgroups?.length ?? 0) > 0, kinds: (m.kinds?.length ?? 0) > 0 };
    for (const k of ['pids', 'cgroups', 'kinds'] as const) {
      if (asked[k] && !can.priority[k]) throw new ConfigError(`${path}.match.${k}`, m[k], `nothing: these events cannot be told apart by ${k}`);
    }
    const inner = config.otherwise === undefined ? null : splitSamplingForKernel(config.otherwise, can, `${path}.otherwise`);
    // One priority level in the kernel: a nested priority stays in user space whole.
    if (inner !== null && (inner.rest !== null || inner.kernel?.priority !== undefined)) return { kernel: null, rest: config };
    return { kernel: { ...inner?.kernel, priority: m }, rest: null };
  }
  const whole = (kernel: KernelSamplingSetting): SamplingPushdownResult<E> => ({ kernel, rest: null });
  switch (config.strategy) {
    case 'uniform':
      return config.seed === undefined && config.every <= MAX_EVERY ? whole({ uniform: { every: config.every, mode: config.mode ?? 'counter' } }) : { kernel: null, rest: config };
    case 'tail':
      if (!can.tail || !('threshold' in config) || config.threshold === undefined) return { kernel: null, rest: config };
      // value >= t for integer ns values is value >= ceil(t); a threshold ≤ 0 keeps everything.
      if (config.threshold <= 0) return { kernel: null, rest: null };
      return Math.ceil(config.threshold) < U64_LIMIT ? whole({ tailThreshold: Math.ceil(config.threshold) }) : { kernel: null, rest: config };
    case 'token-bucket': {
      if (!Number.isSafeInteger(config.ratePerSecond) || !Number.isSafeInteger(config.burst) || config.ratePerSecond < 1) return { kernel: null, rest: config };
      const most = maxKernelBurst(config.ratePerSecond);
      if (BigInt(config.burst) > most) {
        throw new ConfigError(`${path}.burst`, config.burst, `at most ${most} at ${config.ratePerSecond}/s in the kernel (burst · ⌈10⁹/ratePerSecond⌉ ≤ 2^63 ns, or its u64 arithmetic overflows)`, {
          remedy: 'Give a smaller burst or a higher rate, or keep the bucket in user space: setSampling(family, config, { kernel: false }) or the stream option kernelSampling: false.',
        });
      }
      return whole({ bucket: { ratePerSecond: config.ratePerSecond, burst: config.burst } });
    }
    default:
      return { kernel: null, rest: config };
  }
}

/** Counts of `now` minus `base` (the counts since `base` was read). @internal */
export function kernelCountsSince(now: KernelSamplingCounts, base: KernelSamplingCounts | null): KernelSamplingCounts {
  if (base === null) return now;
  const out = { ...now };
  for (const k of Object.keys(out) as (keyof KernelSamplingCounts)[]) out[k] -= base[k];
  return out;
}

/** Whether an event matches a declarative priority (`pid`, `cgroupId`, and its `type`/`kind`/`name`/`id` fields). @internal */
export function priorityMatcher(match: PriorityMatch): (event: unknown) => boolean {
  const pids = new Set(match.pids ?? []);
  const cgroups = new Set((match.cgroups ?? []).map((c) => BigInt(c)));
  const kinds = new Set<unknown>(match.kinds ?? []);
  return (event) => {
    if (typeof event !== 'object' || event === null) return false;
    const e = event as { pid?: unknown; cgroupId?: unknown; type?: unknown; kind?: unknown; name?: unknown; id?: unknown };
    if (pids.size > 0 && typeof e.pid === 'number' && pids.has(e.pid)) return true;
    if (cgroups.size > 0 && (typeof e.cgroupId === 'number' || typeof e.cgroupId === 'bigint') && cgroups.has(BigInt(e.cgroupId))) return true;
    return kinds.size > 0 && (kinds.has(e.type) || kinds.has(e.kind) || kinds.has(e.name) || kinds.has(e.id));
  };
}
