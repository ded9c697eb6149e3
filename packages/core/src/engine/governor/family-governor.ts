import type { Logger } from '../../logger.js';
import type { BatchClock } from '../../sampling/adaptive-batcher.js';
import type { Source } from '../../types.js';
import type { GovernorSettings, GovernorCalibration, GovernorInfo, GovernorStats, GovernorTransition, GovernorWindow } from './governor-types.js';
import { formatCount as fmt, GovernorState } from './governor-state.js';

/** Kernel run-time statistics switched on until `close()` (BPF_ENABLE_STATS). @internal */
export interface RunStatsSwitch {
  close(): void;
}

/** What a family's governor needs from the engine. @internal */
export interface GovernorHost {
  readonly family: string;
  readonly budgetNsPerSec: number;
  readonly settings: GovernorSettings;
  /** Whether the sources hold run-time statistics on all the time (config `programStats`). */
  readonly programStats: boolean;
  readonly clock: BatchClock;
  readonly wallMs: () => number;
  /** Turns kernel run-time statistics on; null when nothing can (no native loader). */
  readonly runStats: (() => RunStatsSwitch) | null;
  readonly logger: Logger;
}

/** The figures a window needs, summed over the source's objects and programs. */
interface Sample {
  readonly at: number;
  readonly invocations: number;
  readonly runs: number;
  readonly runTimeNs: number;
  /** Whether the source holds run-time statistics on (config `programStats` took effect). */
  readonly runStatsOn: boolean;
}

const FULL = 'full detail';

/** Why a family over its budget sheds nothing more. */
function overBudgetText(host: GovernorHost, nsPerSec: number, windowMs: number, levels: readonly string[]): string {
  const left = levels.length === 0 ? `${host.family} has no level of detail to shed` : `no level left to shed after ${levels[levels.length - 1]}`;
  return `kernel cost ${fmt(nsPerSec)} ns/s over the budget of ${fmt(host.budgetNsPerSec)} ns/s in a window of ${fmt(windowMs)} ms: ${left}`;
}

/**
 * The source's figures now. `runTime` false asks for the kernel counters alone (runs and
 * run time then read 0): a window judged on invocations does not use the programs' figures,
 * which are one kernel call per program.
 */
function sample(source: Source, at: number, runTime = true): Sample | null {
  let s;
  try {
    s = source.stats?.(runTime ? undefined : { programs: false });
  } catch {
    // A source whose figures cannot be read now (closing) gives no sample; the timer that ends a calibration window must not throw.
    return null;
  }
  if (!s || s.kernelCounters.length === 0) return null;
  return {
    at,
    invocations: s.kernelCounters.reduce((n, k) => n + k.invocations, 0),
    runs: runTime ? s.programs.reduce((n, p) => n + p.runs, 0) : 0,
    runTimeNs: runTime ? s.programs.reduce((n, p) => n + p.runTimeNs, 0) : 0,
    runStatsOn: s.runStatsEnabled,
  };
}

/**
 * One family's governor (docs/governor.md): judges the family's kernel cost per window on
 * reads, measures the cost per invocation in short calibration windows with kernel run-time
 * statistics on (or every window when `programStats` holds them on), and moves the source
 * between its degradation levels. Nothing runs between reads except the timer that ends an
 * open calibration window. @internal
 */
export class FamilyGovernor {
  readonly #state: GovernorState;
  #source: Source | null = null;
  #levels: readonly string[] = [];
  #mark: Sample | null = null;
  #window: GovernorWindow | null = null;
  readonly #calibrations = new Map<number, GovernorCalibration>();
  #judgedSinceCalibration = 0;
  #calibration: { handle: RunStatsSwitch; timer: unknown; start: Sample; level: number } | null = null;
  #calibrationWindows = 0;
  #windows = 0;
  #since: string;
  #reason: string | null = null;
  /** The level the source has put in force (the state's may be ahead while the source changes). */
  #applied = 0;
  #transitions: GovernorTransition[] = [];
  #unmeasured: string | null = null;
  #busy: Promise<void> = Promise.resolve();
  #governable = false;
  #overBudget: string | null = null;

  constructor(private readonly host: GovernorHost) {
    this.#state = new GovernorState(host.budgetNsPerSec, host.settings.recoverFraction, host.settings.recoverWindows);
    this.#since = new Date(host.wallMs()).toISOString();
  }

  /**
   * Judge the window that ends now, if it is at least `windowMs` long, and apply the change of
   * level it calls for (awaiting the source). Evaluations run one after another.
   * @param source - the family's selected source
   * @param afterChange - called once a change of level is in force (the engine's settings go on the source again)
   */
  evaluate(source: Source, afterChange: (source: Source) => Promise<void> = async () => undefined): Promise<void> {
    const run = this.#busy.then(() => this.#evaluate(source, afterChange));
    this.#busy = run.catch(() => undefined);
    return run;
  }

  async #evaluate(source: Source, afterChange: (source: Source) => Promise<void>): Promise<void> {
    this.observe(source);
    const now = this.host.clock.now();
    const mark = this.#mark;
    // A window shorter than windowMs is not judged: its end's figures (a stats map and every
    // program's info read from the kernel) would be thrown away, so they are not read.
    if (mark && now - mark.at < this.host.settings.windowMs) return;
    // The programs' run times only where the window is judged on them (programStats holds them on).
    const cur = sample(source, now, this.host.programStats);
    if (!cur) return;
    if (!mark) {
      this.#mark = cur;
      return;
    }
    const dt = now - mark.at;
    this.#mark = cur;
    const level = this.#state.level;
    const invocations = Math.max(0, cur.invocations - mark.invocations);
    let nsPerSec: number;
    let basis: GovernorWindow['basis'];
    // With programStats the run time of the window itself (unless the source could not turn statistics on).
    if (this.host.programStats && mark.runStatsOn && cur.runStatsOn) {
      basis = 'run-stats';
      const runTimeNs = Math.max(0, cur.runTimeNs - mark.runTimeNs);
      nsPerSec = (runTimeNs * 1000) / dt;
      if (invocations > 0 && runTimeNs > 0) this.#calibrations.set(level, { level, nsPerInvocation: runTimeNs / invocations, runs: cur.runs - mark.runs, runTimeNs, invocations, startMs: mark.at, endMs: now });
    } else {
      const cal = this.#calibrations.get(level);
      if (!cal || this.#judgedSinceCalibration >= this.host.settings.calibrateEvery) this.#calibrate(source);
      if (!cal) return;
      basis = 'invocations';
      nsPerSec = ((invocations * 1000) / dt) * cal.nsPerInvocation;
    }
    this.#window = { startMs: mark.at, endMs: now, invocations, nsPerSec, basis, level };
    this.#windows++;
    this.#judgedSinceCalibration++;
    const up = level > 0 ? this.#calibrations.get(level - 1) : undefined;
    const projectedUpNsPerSec = up ? ((invocations * 1000) / dt) * up.nsPerInvocation : null;
    const change = this.#state.judge({ nsPerSec, projectedUpNsPerSec, windowMs: dt }, this.#levels);
    this.#overBudget = this.#state.overBudgetAtLastLevel ? overBudgetText(this.host, nsPerSec, dt, this.#levels) : null;
    if (!change) return;
    this.#endCalibration(false);
    try {
      await source.setDegradation!(change.to, change.to === 0 ? '' : change.reason);
    } catch (e) {
      this.#state.revert(change);
      this.host.logger.error('the source could not change its level of detail', { family: this.host.family, source: source.name, to: change.to, error: String(e) });
      return;
    }
    await afterChange(source);
    this.#since = new Date(this.host.wallMs()).toISOString();
    this.#reason = change.to === 0 ? null : change.reason;
    this.#applied = change.to;
    this.#transitions = [...this.#transitions.slice(-19), { from: change.from, to: change.to, atMs: now, reason: change.reason }];
    this.#judgedSinceCalibration = 0;
    // The source may have reloaded its objects (their counters start again): a new baseline.
    this.#mark = null;
    this.host.logger.warn(change.to > change.from ? 'family degraded' : 'family returned to more detail', { family: this.host.family, from: change.from, to: change.to, reason: change.reason });
  }

  /** Whether the source last observed has kernel counters to judge. */
  get governable(): boolean {
    return this.#governable;
  }

  /**
   * Take note of the family's selected source: a new one (first selection, recovery,
   * fallback) starts at full detail, and is governed when it has kernel counters.
   * @param source - the selected source
   */
  observe(source: Source): void {
    if (source === this.#source) return;
    this.#endCalibration(false);
    this.#source = source;
    this.#governable = sample(source, 0, false) !== null;
    this.#levels = source.setDegradation ? (source.degradationLevels?.() ?? []) : [];
    this.#state.reset();
    this.#mark = null;
    this.#window = null;
    this.#calibrations.clear();
    this.#judgedSinceCalibration = 0;
    this.#reason = null;
    this.#applied = 0;
    this.#overBudget = null;
    this.#since = new Date(this.host.wallMs()).toISOString();
  }

  /** Opens a calibration window: kernel run-time statistics on for `calibrationMs`. */
  #calibrate(source: Source): void {
    if (this.#calibration || !this.host.runStats) {
      if (!this.host.runStats) this.#unmeasured = 'no object loader that can turn kernel run-time statistics on (BPF_ENABLE_STATS)';
      return;
    }
    let handle: RunStatsSwitch;
    try {
      handle = this.host.runStats();
    } catch (e) {
      this.#unmeasured = `kernel run-time statistics could not be turned on: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    this.#unmeasured = null;
    // Run time counts only from now: the start's figures are taken after the switch, whole
    // (the window's own sample may hold no run times); without them there is no window.
    const first = sample(source, this.host.clock.now());
    if (first === null) {
      handle.close();
      return;
    }
    this.#calibrationWindows++;
    const timer = this.host.clock.setTimer(() => this.#endCalibration(true), this.host.settings.calibrationMs);
    this.#calibration = { handle, timer, start: first, level: this.#state.level };
  }

  /** Closes the calibration window; with `keep`, records what it measured. */
  #endCalibration(keep: boolean): void {
    const c = this.#calibration;
    if (!c) return;
    this.#calibration = null;
    this.host.clock.clearTimer(c.timer);
    const end = keep && this.#source ? sample(this.#source, this.host.clock.now()) : null;
    c.handle.close();
    if (!end || c.level !== this.#state.level) return;
    const invocations = end.invocations - c.start.invocations;
    const runTimeNs = end.runTimeNs - c.start.runTimeNs;
    if (invocations <= 0 || runTimeNs <= 0) return;
    this.#calibrations.set(c.level, { level: c.level, nsPerInvocation: runTimeNs / invocations, runs: end.runs - c.start.runs, runTimeNs, invocations, startMs: c.start.at, endMs: end.at });
    this.#judgedSinceCalibration = 0;
  }

  /** The state a result read now carries, or null while the family is not governable (no kernel counters). */
  info(): GovernorInfo | null {
    if (!this.#source || !this.#governable) return null;
    // The level in force with its reason and time: a read while the source changes level
    // (a judgement on the watch timer) reports the level its data was read at.
    const level = this.#applied;
    return {
      level,
      levelName: level === 0 ? FULL : this.#levels[level - 1]!,
      budgetNsPerSec: this.host.budgetNsPerSec,
      measuredNsPerSec: this.#window ? Math.round(this.#window.nsPerSec) : null,
      windowMs: this.#window ? this.#window.endMs - this.#window.startMs : null,
      since: this.#since,
      reason: this.#reason,
      overBudget: this.#overBudget,
    };
  }

  /** The figures for `engine.stats()`, or null before the family was evaluated. */
  stats(): GovernorStats | null {
    const info = this.info();
    if (!info) return null;
    return {
      ...info,
      levels: [...this.#levels],
      overBudgetAtLastLevel: this.#state.overBudgetAtLastLevel,
      lastWindow: this.#window,
      calibrations: [...this.#calibrations.values()].sort((a, b) => a.level - b.level),
      calibrating: this.#calibration !== null,
      calibrationWindows: this.#calibrationWindows,
      windowsJudged: this.#windows,
      underStreak: this.#state.underStreak,
      transitions: [...this.#transitions],
      unmeasured: this.#unmeasured,
    };
  }

  /** What runs between reads: an open calibration window. */
  activity(): string[] {
    if (!this.#calibration) return [];
    return [`governor calibration window: kernel run-time statistics on (BPF_ENABLE_STATS) for at most ${this.host.settings.calibrationMs} ms, then off`];
  }

  /** Ends an open calibration window. */
  close(): void {
    this.#endCalibration(false);
  }
}
