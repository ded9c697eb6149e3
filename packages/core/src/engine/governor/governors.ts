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
 * counters (an eBPF source); evaluation happens on reads only. @internal
 */
export class Governors {
  readonly #families = new Map<string, FamilyGovernor>();

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

  /** One family's governor figures, or null when it is not governed (or not read yet). */
  stats(family: string): GovernorStats | null {
    return this.#families.get(family)?.stats() ?? null;
  }

  /** What the governors run between reads (open calibration windows). */
  running(): RunningWork[] {
    return [...this.#families].flatMap(([family, g]) => g.activity().map((what) => ({ family, what })));
  }

  /** Ends every open calibration window. */
  close(): void {
    for (const g of this.#families.values()) g.close();
  }
}
