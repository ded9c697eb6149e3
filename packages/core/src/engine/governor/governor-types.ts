/**
 * The overhead governor (docs/governor.md): a per-family budget of kernel nanoseconds per
 * second; a family over it sheds detail one level at a time, and takes it back when its
 * load falls.
 */

/** The governor's settings in force, after validation (config `governor`). */
export interface GovernorSettings {
  /** Whether the engine governs its eBPF families. */
  readonly enabled: boolean;
  /**
   * Whether a family may shed a level that reloads its programs (the syscall family's
   * latency → counts only: its counters start again and its event streams end). Without
   * it such a family sheds only levels that keep its counters (syscall in latency mode:
   * sampled events).
   */
  readonly allowReload: boolean;
  /** Kernel ns per second each family may spend, unless it has its own in `families`. */
  readonly budgetNsPerSec: number;
  /** Shortest window the governor judges, ms: a read sooner after the last judged window is not judged. */
  readonly windowMs: number;
  /** Length of a calibration window (kernel run-time statistics on), ms. */
  readonly calibrationMs: number;
  /** Judged windows between two calibrations at the same level (the cost per invocation is measured again). */
  readonly calibrateEvery: number;
  /** Fraction of the budget under which the cost projected at the level above must stay to return to it. */
  readonly recoverFraction: number;
  /** Consecutive judged windows under `recoverFraction` of the budget before the family returns one level. */
  readonly recoverWindows: number;
  /** Per-family overrides. */
  readonly families: Readonly<Record<string, GovernorFamilySettings>>;
}

/** One family's own governor settings (`governor.families.<family>`), over the top-level ones. */
export interface GovernorFamilySettings {
  /** Whether the family is governed. @default the top-level `governor.enabled` */
  readonly enabled?: boolean;
  /** The family's budget, kernel ns per second (1 to 10^12). @default the top-level `governor.budgetNsPerSec` */
  readonly budgetNsPerSec?: number;
}

/** How a window's kernel cost was obtained. */
export type GovernorBasis =
  /** Kernel run time counted over the window itself (run-time statistics on: `programStats`, or a calibration window). */
  | 'run-stats'
  /** The objects' invocation counter over the window times the ns per invocation of the last calibration at this level. */
  | 'invocations';

/** One judged window of a family's kernel cost. */
export interface GovernorWindow {
  /** Start and end of the window, ms of the engine's monotonic clock. */
  readonly startMs: number;
  /** End of the window. */
  readonly endMs: number;
  /** Program invocations the family's objects counted in the window (their shared `invocations` counter). */
  readonly invocations: number;
  /** Kernel ns per second spent by the family's programs in the window. */
  readonly nsPerSec: number;
  /** How `nsPerSec` was obtained. */
  readonly basis: GovernorBasis;
  /** The level in force during the window. */
  readonly level: number;
}

/** A measured kernel cost per invocation of a family's objects, at one level. */
export interface GovernorCalibration {
  /** The level it was measured at. */
  readonly level: number;
  /** Kernel ns of all the family's programs per invocation counted by its objects. */
  readonly nsPerInvocation: number;
  /** Program runs counted in the calibration window (all programs). */
  readonly runs: number;
  /** Kernel run time counted in the window, ns. */
  readonly runTimeNs: number;
  /** Invocations the objects counted in the window. */
  readonly invocations: number;
  /** The window, ms of the engine's monotonic clock. */
  readonly startMs: number;
  /** End of the window. */
  readonly endMs: number;
}

/** A change of level. */
export interface GovernorTransition {
  /** Level before. */
  readonly from: number;
  /** Level after. */
  readonly to: number;
  /** When, ms of the engine's monotonic clock. */
  readonly atMs: number;
  /** Why, in words, with the figures. */
  readonly reason: string;
}

/**
 * The governor's state of one family as its result carries it ({@link FamilyResult.governor}):
 * level 0 is full detail; a higher level is one of the source's degradation levels.
 */
export interface GovernorInfo {
  /** The level in force when the data was read: 0 full detail, n the source's n-th degradation level. */
  readonly level: number;
  /** What the level means, e.g. `full detail` or `counts only: ...`. */
  readonly levelName: string;
  /** The family's budget, kernel ns per second. */
  readonly budgetNsPerSec: number;
  /** The last judged window's kernel ns per second, or null before one was judged. */
  readonly measuredNsPerSec: number | null;
  /** Length of that window, ms, or null. */
  readonly windowMs: number | null;
  /** When the level was entered, ISO 8601 (the source's selection for level 0 before any change). */
  readonly since: string;
  /** Why the family is degraded (null at level 0). */
  readonly reason: string | null;
  /**
   * Set while the last judged window was over the budget and the family had no level left
   * to shed (its source has none, or it is at its last): the figures and that fact. Null otherwise.
   */
  readonly overBudget: string | null;
}

/** The governor's figures for one family, in `engine.stats().collectors[i].governor`. */
export interface GovernorStats extends GovernorInfo {
  /** The source's degradation levels (level 1 first); empty when it cannot degrade. */
  readonly levels: readonly string[];
  /** True when the family could shed nothing more and is still over its budget. */
  readonly overBudgetAtLastLevel: boolean;
  /** The last judged window, or null. */
  readonly lastWindow: GovernorWindow | null;
  /** The last calibration at each level measured so far. */
  readonly calibrations: readonly GovernorCalibration[];
  /** Whether a calibration window (kernel run-time statistics on) is open now. */
  readonly calibrating: boolean;
  /** Calibration windows opened since the family was governed. */
  readonly calibrationWindows: number;
  /** Windows judged. */
  readonly windowsJudged: number;
  /** Consecutive judged windows under the recovery threshold. */
  readonly underStreak: number;
  /** The changes of level so far (the last 20). */
  readonly transitions: readonly GovernorTransition[];
  /** Why the family's cost cannot be measured (kernel run-time statistics could not be turned on), or null. */
  readonly unmeasured: string | null;
}
