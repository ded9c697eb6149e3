import { kernelWeight } from './event-sampling.js';

/**
 * The weights of the events a batched stream has handed to its batcher and the batcher has
 * not delivered yet, in the same order (the batcher keeps order): a batch takes its weights
 * from the front. @internal
 */
export class WeightQueue {
  #weights: number[] = [];
  #head = 0;

  /** Adds the weight of one kept event. */
  push(weight: number): void {
    this.#weights.push(weight);
  }

  /**
   * Adds the kernel weights of events kept by a keep-all setting.
   * @returns their sum
   */
  pushKernelWeights(events: readonly unknown[]): number {
    const weights = this.#weights;
    let sum = 0;
    for (let i = 0; i < events.length; i++) {
      const w = kernelWeight(events[i]);
      weights.push(w);
      sum += w;
    }
    return sum;
  }

  /** Takes the weights of the next `n` events. */
  take(n: number): number[] {
    const taken = this.#weights.slice(this.#head, this.#head + n);
    this.#head += n;
    if (this.#head === this.#weights.length) {
      this.#weights.length = 0;
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#weights = this.#weights.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }
}
