import type { KernelSamplingCounts, KernelSamplingSetting } from '../sampling/kernel-sampling.js';
import type { SamplingConfig } from '../sampling/sampling-config.js';
import type { Source } from '../types.js';

/** Who put the family's kernel setting in place: `engine.setSampling()`, or one stream's own `sampling`. @internal */
export type KernelOwner = 'family' | object;

/**
 * A family's kernel sampling in one engine: one setting per engine and family, put in
 * place by `engine.setSampling()` or by the first stream that brings its own `sampling`
 * while no other setting is in force, and taken away when its stream ends. Where the
 * source's kernel object serves every engine of the process with one setting (proc, mem),
 * the source refuses the push while another engine holds it (kernel part null): the
 * setting then runs in user space, and nothing here holds the kernel. @internal
 */
export class KernelSamplingOwner {
  #owner: KernelOwner | null = null;
  #source: Source | null = null;
  #setting: KernelSamplingSetting | null = null;

  /** The kernel part in force, or null. */
  get setting(): KernelSamplingSetting | null {
    return this.#setting;
  }

  /** Who in this engine put it there: `engine.setSampling()`, one stream's own `sampling`, or nobody. */
  get holder(): 'family' | 'stream' | null {
    return this.#owner === null ? null : this.#owner === 'family' ? 'family' : 'stream';
  }

  /** Whether `owner` may push a setting down now: the family always; a stream when no one holds the kernel. */
  mayPush(owner: KernelOwner, source: Source | null): source is Source & Required<Pick<Source, 'samplingPushdown'>> {
    if (source?.samplingPushdown === undefined) return false;
    return owner === 'family' || this.#owner === null;
  }

  /**
   * Pushes `config` down for `owner` and returns the user-space rest; a source with no
   * kernel sampling, or a stream while another owner holds the kernel, gets `config` back whole.
   */
  async push<E>(owner: KernelOwner, source: Source | null, config: SamplingConfig<E> | null): Promise<SamplingConfig<E> | null> {
    if (!this.mayPush(owner, source)) return config;
    const r = await source.samplingPushdown(config as SamplingConfig<unknown> | null);
    this.#source = source;
    this.#setting = r.kernel;
    this.#owner = r.kernel === null ? null : owner;
    return r.rest as SamplingConfig<E> | null;
  }

  /** The stream `owner` ended: its kernel setting is removed (when it still holds the kernel). */
  async release(owner: KernelOwner): Promise<void> {
    if (this.#owner !== owner || this.#source === null) return;
    this.#owner = null;
    this.#setting = null;
    await this.#source.samplingPushdown?.(null);
  }

  /** The source was replaced (recovery, fallback): its setting went with it. */
  forget(): void {
    this.#owner = null;
    this.#source = null;
    this.#setting = null;
  }

  /** The source's kernel counts (since it started), or null when it has no kernel sampling. */
  counts(source: Source | null): KernelSamplingCounts | null {
    return source?.samplingCounts?.() ?? null;
  }
}
