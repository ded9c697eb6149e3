import type { AlertLevel } from '../records.js';

/** The temperatures at which a sensor becomes `warning` and `critical`, °C. */
export interface AlertThresholds {
  /** At or above: `warning`. */
  warningCelsius: number;
  /** At or above: `critical`. */
  criticalCelsius: number;
}

/** The seed's defaults: warning 75 °C, critical 90 °C. */
export const DEFAULT_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({ warningCelsius: 75, criticalCelsius: 90 });
/** The seed's defaults for GPU sensors: warning 85 °C, critical 95 °C. */
export const DEFAULT_GPU_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({ warningCelsius: 85, criticalCelsius: 95 });
/** The default hysteresis, °C: a level is left only this far below its threshold. */
export const DEFAULT_HYSTERESIS_CELSIUS = 3;

const RANK: Readonly<Record<AlertLevel, number>> = { normal: 0, warning: 1, critical: 2 };
const LEVELS: readonly AlertLevel[] = ['normal', 'warning', 'critical'];

/** The higher of two levels. @internal */
export function maxLevel(a: AlertLevel, b: AlertLevel): AlertLevel {
  return RANK[a] >= RANK[b] ? a : b;
}

const threshold = (t: AlertThresholds, level: AlertLevel): number => (level === 'critical' ? t.criticalCelsius : level === 'warning' ? t.warningCelsius : -Infinity);

/**
 * The next level of a sensor at `level` that now reads `celsius`. A level is entered as
 * soon as the reading reaches its threshold, and left only when the reading falls below
 * the threshold less the hysteresis: a reading that wavers around a threshold (by less
 * than the hysteresis) keeps its level instead of flapping.
 * @internal
 */
export function nextLevel(level: AlertLevel, celsius: number, t: AlertThresholds, hysteresis: number): AlertLevel {
  let raw: AlertLevel = 'normal';
  for (const l of LEVELS) if (celsius >= threshold(t, l)) raw = l;
  if (RANK[raw] >= RANK[level]) return raw;
  // Going down: stay at the highest level at or below the current one that the reading has not left.
  for (let r = RANK[level]; r > RANK[raw]; r--) {
    const l = LEVELS[r]!;
    if (celsius >= threshold(t, l) - hysteresis) return l;
  }
  return raw;
}

/** A level change, as the tracker reports it. @internal */
export interface LevelChange {
  key: string;
  previous: AlertLevel;
  level: AlertLevel;
  celsius: number;
}

/**
 * The alert level of each sensor across reads. A sensor first seen starts at `normal`, so a
 * hot sensor raises an alert on its first reading; a sensor that cannot be read keeps its
 * level (no reading is no evidence that it cooled down).
 * @internal
 */
export class AlertTracker {
  readonly #levels = new Map<string, AlertLevel>();

  constructor(private readonly hysteresis: number) {}

  /**
   * Move one sensor to its next level.
   * @returns its level now and the change, if any
   */
  update(key: string, celsius: number | null, t: AlertThresholds, changes: LevelChange[]): AlertLevel {
    const previous = this.#levels.get(key) ?? 'normal';
    if (celsius === null) return previous;
    const level = nextLevel(previous, celsius, t, this.hysteresis);
    this.#levels.set(key, level);
    if (level !== previous) changes.push({ key, previous, level, celsius });
    return level;
  }

  /** Forget sensors not seen in the last reading (a driver unbound), so that their levels do not linger. */
  retain(seen: ReadonlySet<string>): void {
    for (const key of this.#levels.keys()) if (!seen.has(key)) this.#levels.delete(key);
  }
}
