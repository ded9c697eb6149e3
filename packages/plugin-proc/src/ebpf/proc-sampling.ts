// The kernel part of the proc family's event sampling: one event source (0) in the proc
// object's proc_smp maps (bpf/include/bpfscope_sampling.h) for fork, exec and exit, whose
// class is the event type. The object with the hooks is loaded while a stream is open, so
// the setting is kept here and written into each object a stream opens.
import { ConfigError, splitSamplingForKernel, type KernelSamplingCounts, type KernelSamplingSetting, type SamplingConfig, type SamplingPushdownResult } from '@bpfscope/core';
import { KernelSamplingMaps, type BpfObject } from '@bpfscope/native';

const PATH = 'families.proc.sampling';
/** enum proc_ev_type (bpf/proc/proc.h). */
const CLASSES: Readonly<Record<string, number>> = { fork: 1, exec: 2, exit: 3 };

function classOf(kind: string | number, path: string): number {
  const c = typeof kind === 'string' ? CLASSES[kind] : undefined;
  if (c === undefined) throw new ConfigError(path, kind, 'an event kind of proc: "fork", "exec" or "exit"');
  return c;
}

const ZERO: KernelSamplingCounts = { offered: 0, passed: 0, highPassed: 0, sampledAway: 0, uniformAway: 0, tailAway: 0, refused: 0, contended: 0 };

function add(a: KernelSamplingCounts, b: KernelSamplingCounts): KernelSamplingCounts {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof KernelSamplingCounts)[]) out[k] += b[k];
  return out;
}

/**
 * The proc source's kernel sampling: the setting in force and the event objects open now
 * (one per process, shared by every engine of it: the last setting written is the one in force).
 * @internal
 */
export class ProcKernelSampling {
  #setting: KernelSamplingSetting | null = null;
  readonly #open = new Map<BpfObject, { maps: KernelSamplingMaps; streams: number }>();
  /** Counts of objects no stream holds any more (their maps went with them). */
  #past: KernelSamplingCounts = ZERO;

  /**
   * Splits and applies a setting to every open object, and keeps it for objects opened later.
   * @throws {@link ConfigError} for a kind proc has not
   */
  push(config: SamplingConfig<unknown> | null): SamplingPushdownResult<unknown> {
    const split = splitSamplingForKernel(config, { tail: false, priority: { pids: true, cgroups: true, kinds: true } }, PATH);
    if (split.kernel?.priority?.kinds) split.kernel.priority.kinds.forEach((k, i) => classOf(k, `${PATH}.match.kinds[${i}]`));
    for (const { maps } of this.#open.values()) maps.apply(0, split.kernel, classOf, PATH);
    this.#setting = split.kernel;
    return split;
  }

  /** A stream opened the object: the setting goes in before its hooks attach (once per object). */
  opened(obj: BpfObject): void {
    const held = this.#open.get(obj);
    if (held !== undefined) {
      held.streams++;
      return;
    }
    const maps = new KernelSamplingMaps(obj, 'proc_smp');
    maps.apply(0, this.#setting, classOf, PATH);
    this.#open.set(obj, { maps, streams: 1 });
  }

  /** A stream let the object go. */
  closed(obj: BpfObject): void {
    const held = this.#open.get(obj);
    if (held === undefined || --held.streams > 0) return;
    this.#past = add(this.#past, held.maps.counts(0));
    this.#open.delete(obj);
  }

  /** Counts since the source started, over every object its streams opened. */
  counts(): KernelSamplingCounts {
    let sum = this.#past;
    for (const { maps } of this.#open.values()) sum = add(sum, maps.counts(0));
    return sum;
  }
}
