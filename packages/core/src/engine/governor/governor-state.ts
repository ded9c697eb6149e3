/** A judged window as the state machine sees it. @internal */
export interface JudgedWindow {
  /** Kernel ns per second in the window, at the level in force. */
  readonly nsPerSec: number;
  /** The window's cost had the level above been in force (its last calibration × this window's invocations), or null (level 0, or not measured). */
  readonly projectedUpNsPerSec: number | null;
  /** Length of the window, ms (for the reason). */
  readonly windowMs: number;
}

/** A decided change of level. @internal */
export interface LevelChange {
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

// One formatter for the process: toLocaleString makes a new one (ICU) at every call.
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count rounded to a whole number with thousands separators, as `toLocaleString('en-US')` writes it. @internal */
export const formatCount = (n: number): string => COUNT.format(Math.round(n));

/**
 * The governor's hysteresis for one family, with no clock and no I/O (docs/governor.md):
 * one window over the budget sheds one level (while the source has one more); the family
 * returns one level after `recoverWindows` consecutive windows in which the cost projected
 * at the level above stays under `recoverFraction` of the budget. Projecting the level
 * above (rather than judging the degraded cost) keeps a family from returning to the very
 * cost that made it degrade. @internal
 */
export class GovernorState {
  #level = 0;
  #under = 0;
  #overAtLast = false;

  constructor(
    readonly budgetNsPerSec: number,
    private readonly recoverFraction: number,
    private readonly recoverWindows: number,
  ) {}

  /** The level in force. */
  get level(): number {
    return this.#level;
  }

  /** Consecutive judged windows under the recovery threshold. */
  get underStreak(): number {
    return this.#under;
  }

  /** Whether the last window was over budget with no level left to shed. */
  get overBudgetAtLastLevel(): boolean {
    return this.#overAtLast;
  }

  /**
   * Judge one window.
   * @param w - the window
   * @param levels - the names of the source's degradation levels (level 1 first)
   * @returns the change of level it calls for, or null
   */
  judge(w: JudgedWindow, levels: readonly string[]): LevelChange | null {
    const from = this.#level;
    if (w.nsPerSec > this.budgetNsPerSec) {
      this.#under = 0;
      if (from >= levels.length) {
        this.#overAtLast = true;
        return null;
      }
      this.#overAtLast = false;
      this.#level = from + 1;
      return { from, to: this.#level, reason: `kernel cost ${formatCount(w.nsPerSec)} ns/s over the budget of ${formatCount(this.budgetNsPerSec)} ns/s in a window of ${formatCount(w.windowMs)} ms: ${levels[from]}` };
    }
    this.#overAtLast = false;
    const threshold = this.budgetNsPerSec * this.recoverFraction;
    if (from === 0 || w.projectedUpNsPerSec === null || w.projectedUpNsPerSec >= threshold) {
      this.#under = 0;
      return null;
    }
    if (++this.#under < this.recoverWindows) return null;
    this.#under = 0;
    this.#level = from - 1;
    return { from, to: this.#level, reason: `cost projected at level ${from - 1} ${formatCount(w.projectedUpNsPerSec)} ns/s under ${formatCount(threshold)} ns/s (${this.recoverFraction} of the budget) for ${this.recoverWindows} window${this.recoverWindows === 1 ? '' : 's'}` };
  }

  /** Back to level 0 (a new source was selected: it starts with full detail). */
  reset(): void {
    this.#level = 0;
    this.#under = 0;
    this.#overAtLast = false;
  }

  /** Undo a change the source could not apply. */
  revert(change: LevelChange): void {
    this.#level = change.from;
  }
}
