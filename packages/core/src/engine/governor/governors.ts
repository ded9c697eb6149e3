import type { Logger } from '../../logger.js';
import type { BatchClock } from '../../sampling/adaptive-batcher.js';
import type { FamilyResult, Source } from '../../types.js';
import type { RunningWork } from '../running.js';
import { familyBudget } from './governor-config.js';
import type { GovernorSettings, GovernorStats } from './governor-types.js';
import { FamilyGovernor, type RunStatsSwitch } from './family-governor.js';

/** The process's monotonic clock and unref'ed timers: a calibration window never keeps the process alive. */
const systemTimers: BatchClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * The family's selected source and how to put the engine's settings on it again, while an
 * event stream of the family is open; null when none is. @internal
 */
export type ConsumerProbe = () => { source: Source; reattach: (source: Source) => Promise<void> } | null;

/** Ticks a watch waits for its first open stream before it stops. */
const WATCH_WAIT_TICKS = 3;

/** What the engine gives its governors. @internal */
export interface GovernorsOptions {
  readonly settings: GovernorSettings;
  readonly programStats: boolean;
  readonly logger: Logger;
  readonly wallMs: () => number;
  /** Turns kernel run-time statistics on: the engine's object loader's, once a plugin provided one. */
  readonly runStats: () => (() => RunStatsSwitch) | null;
  /** The clock and timers of calibration windows. @default the process's, timers unref'ed */
  readonly clock?: BatchClock;
}

/**
 * The engine's overhead governor (docs/governor.md): one {@link FamilyGovernor} per governed
 * family, made at the family's first read. A family is governed when `governor.enabled` (or
 * its own `governor.families.<family>.enabled`) is on and its selected source has kernel
 * counters (an eBPF source); evaluation happens on reads, and on a timer while an event stream of the family is open. @internal
 */
export class Governors {
  readonly #families = new Map<string, FamilyGovernor>();
  /** Families judged by a timer while an event stream of theirs is open. */
  readonly #watches = new Map<string, { timer: unknown; seenOpen: boolean; ticks: number; active: boolean }>();

  constructor(private readonly options: GovernorsOptions) {}

  #for(family: string): FamilyGovernor | null {
    let g = this.#families.get(family);
    if (g) return g;
    const budget = familyBudget(this.options.settings, family);
    if (budget === null) return null;
    const o = this.options;
    g = new FamilyGovernor({ family, budgetNsPerSec: budget, settings: o.settings, programStats: o.programStats, clock: o.clock ?? systemTimers, wallMs: o.wallMs, runStats: o.runStats(), logger: o.logger });
    this.#families.set(family, g);
    return g;
  }

  /**
   * After a decoded read of a family: the result with the governor's state at the time of
   * the read (`governor`), then the window judged (which may change the level for the next read).
   * @param result - the read's result
   * @param source - the source that produced it
   * @param reattach - puts the engine's filter and kernel sampling on the source again after it changed level
   * @returns the result, with `governor` when the family is governed
   */
  async afterRead(result: FamilyResult, source: Source, reattach: (source: Source) => Promise<void> = async () => undefined): Promise<FamilyResult> {
    const g = this.#for(result.family);
    if (!g) return result;
    g.observe(source);
    const info = g.info();
    await g.evaluate(source, reattach);
    return info ? { ...result, governor: info } : result;
  }

  /**
   * Judge a family also while an event stream of it is open and nothing reads it: an
   * unref'ed timer every `windowMs` runs the evaluation a read would (a read in between makes
   * it judge nothing: its window is too short). The timer stops once no stream is open (or
   * none of a governable source opened within three ticks); it is listed in `running` from
   * the tick that found the stream open.
   * @param family - the family whose stream opens
   * @param probe - the source while a stream is open, else null
   */
  watchConsumers(family: string, probe: ConsumerProbe): void {
    if (this.#watches.has(family) || !this.#for(family)) return;
    const clock = this.options.clock ?? systemTimers;
    const w = { timer: null as unknown, seenOpen: false, ticks: 0, active: false };
    const tick = (): void => {
      w.ticks++;
      const open = probe();
      const g = this.#for(family);
      if (open !== null && g !== null) g.observe(open.source);
      w.active = open !== null && g !== null && g.governable;
      if (!w.active || open === null) {
        if (w.seenOpen || w.ticks >= WATCH_WAIT_TICKS) {
          this.#watches.delete(family);
          return;
        }
      } else {
        w.seenOpen = true;
        g?.evaluate(open.source, open.reattach).catch((e: unknown) => this.options.logger.error('the governor could not judge the family', { family, error: String(e) }));
      }
      w.timer = clock.setTimer(tick, this.options.settings.windowMs);
    };
    w.timer = clock.setTimer(tick, this.options.settings.windowMs);
    this.#watches.set(family, w);
  }

  /** One family's governor figures, or null when it is not governed (or not read yet). */
  stats(family: string): GovernorStats | null {
    return this.#families.get(family)?.stats() ?? null;
  }

  /** What the governors run between reads (open calibration windows, judging while a stream is open). */
  running(): RunningWork[] {
    const watches = [...this.#watches].filter(([, w]) => w.active).map(([family]) => ({ family, what: `governor: judges the kernel cost every ${this.options.settings.windowMs} ms while an event stream is open (an unref'ed timer)` }));
    return [...[...this.#families].flatMap(([family, g]) => g.activity().map((what) => ({ family, what }))), ...watches];
  }

  /** Ends every open calibration window and every watch of event streams. */
  close(): void {
    const clock = this.options.clock ?? systemTimers;
    for (const w of this.#watches.values()) clock.clearTimer(w.timer);
    this.#watches.clear();
    for (const g of this.#families.values()) g.close();
  }
}
