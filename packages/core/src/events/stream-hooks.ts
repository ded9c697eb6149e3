import { kernelCountsSince, type KernelSamplingCounts } from '../sampling/kernel-sampling.js';

/**
 * What `engine.events()` and `engine.eventBatches()` streams share about their end and
 * their family's kernel counts: hooks run once when the stream ends — its consumer
 * returned, its source ended, or its signal (the caller's, or the engine's close) aborted,
 * whether or not anyone still pulls — and a hook added after the end runs at once (a
 * stream ended while it was still opening must not keep what the hook gives back).
 * @internal
 */
export class StreamHooks {
  #hooks: Array<() => void> | null = [];
  #kernelCounts: () => KernelSamplingCounts | null = () => null;
  #kernelBase: KernelSamplingCounts | null = null;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.end();

  /** @param signal - ends the stream's hooks when it aborts */
  constructor(signal?: AbortSignal) {
    this.#signal = signal;
    if (signal?.aborted === true) this.end();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Whether the hooks have run. */
  get ended(): boolean {
    return this.#hooks === null;
  }

  /** Runs `hook` once when the stream ends; at once when it has ended already. */
  onEnd(hook: () => void): void {
    if (this.#hooks === null) hook();
    else this.#hooks.push(hook);
  }

  /** The stream ended: runs the hooks (once). */
  end(): void {
    const hooks = this.#hooks;
    if (hooks === null) return;
    this.#hooks = null;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    for (const h of hooks) h();
  }

  /** The stream joined its family: kernel counts are read from `counts`, relative to now. */
  joinKernel(counts: () => KernelSamplingCounts | null): void {
    this.#kernelCounts = counts;
    this.#kernelBase = counts();
  }

  /** The family's kernel sampling counts since the stream joined, or null. */
  kernelCounts(): KernelSamplingCounts | null {
    const now = this.#kernelCounts();
    return now === null ? null : kernelCountsSince(now, this.#kernelBase);
  }
}
