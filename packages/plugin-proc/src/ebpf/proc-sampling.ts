// The kernel part of the proc family's event sampling: one event source (0) in the proc
// object's proc_smp maps (bpf/include/bpfscope_sampling.h) for fork, exec and exit, whose
// class is the event type. The object with the hooks is shared by every engine of the
// process and loaded while a stream is open: one setting for all, held by one engine at a
// time (SharedSamplingSlot), written into each object as it opens.
import { ConfigError, splitSamplingForKernel, type KernelSamplingCounts, type KernelSamplingState, type SamplingConfig, type SamplingPushdownResult } from '@bpfscope/core';
import { SharedSamplingSlot, type BpfObject } from '@bpfscope/native';

const PATH = 'families.proc.sampling';
/** enum proc_ev_type (bpf/proc/proc.h). */
const CLASSES: Readonly<Record<string, number>> = { fork: 1, exec: 2, exit: 3 };

function classOf(kind: string | number, path: string): number {
  const c = typeof kind === 'string' ? CLASSES[kind] : undefined;
  if (c === undefined) throw new ConfigError(path, kind, 'an event kind of proc: "fork", "exec" or "exit"');
  return c;
}

/**
 * One proc source's (one engine's) part in the process's kernel sampling of proc events:
 * its pushes, the objects its streams open, and the counts since it started.
 * @internal
 */
export class ProcKernelSampling {
  readonly #slot: SharedSamplingSlot;
  #base: KernelSamplingCounts;

  /** @param objectPath - the proc object file (one slot per file and process) */
  constructor(objectPath: string) {
    this.#slot = SharedSamplingSlot.of('proc_smp', objectPath, 0, classOf, PATH);
    this.#base = this.#slot.counts();
  }

  /** The source (re)started: counts from now. */
  started(): void {
    this.#base = this.#slot.counts();
  }

  /**
   * Splits a setting and puts its kernel part in force for this engine, unless another
   * engine holds the kernel: then nothing is written and the whole setting is the rest.
   * @throws {@link ConfigError} for a kind proc has not
   */
  push(config: SamplingConfig<unknown> | null): SamplingPushdownResult<unknown> {
    const split = splitSamplingForKernel(config, { tail: false, priority: { pids: true, cgroups: true, kinds: true } }, PATH);
    if (split.kernel?.priority?.kinds) split.kernel.priority.kinds.forEach((k, i) => classOf(k, `${PATH}.match.kinds[${i}]`));
    return this.#slot.push(this, split.kernel) ? split : { kernel: null, rest: config };
  }

  /** The setting in force and whether it is another engine's. */
  state(): KernelSamplingState {
    return this.#slot.state(this);
  }

  /** The source closes: its setting, if it holds the kernel, is removed. */
  release(): void {
    this.#slot.release(this);
  }

  /** A stream opened a handle on the object: an object opened for the first time gets the setting in force before its hooks attach. */
  opened(obj: BpfObject): void {
    this.#slot.opened(obj);
  }

  /** A stream lets its handle go (before closing it). */
  closed(obj: BpfObject): void {
    this.#slot.closed(obj);
  }

  /** Counts since the source started, of the process's proc objects (every engine's events). */
  counts(): KernelSamplingCounts {
    return this.#slot.countsSince(this.#base);
  }
}
