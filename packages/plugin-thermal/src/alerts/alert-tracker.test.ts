import { describe, expect, it } from 'vitest';
import { AlertTracker, DEFAULT_GPU_THRESHOLDS, DEFAULT_THRESHOLDS, nextLevel, type LevelChange } from './alert-tracker.js';
import type { AlertLevel } from '../records.js';

const t = DEFAULT_THRESHOLDS; // 75 / 90

describe('nextLevel', () => {
  it('enters a level at its threshold, not below', () => {
    expect(nextLevel('normal', 74.999, t, 3)).toBe('normal');
    expect(nextLevel('normal', 75, t, 3)).toBe('warning');
    expect(nextLevel('normal', 89.999, t, 3)).toBe('warning');
    expect(nextLevel('normal', 90, t, 3)).toBe('critical');
    expect(nextLevel('warning', 120, t, 3)).toBe('critical');
  });

  it('leaves a level only below its threshold less the hysteresis', () => {
    expect(nextLevel('critical', 87, t, 3)).toBe('critical');
    expect(nextLevel('critical', 86.999, t, 3)).toBe('warning');
    expect(nextLevel('warning', 72, t, 3)).toBe('warning');
    expect(nextLevel('warning', 71.999, t, 3)).toBe('normal');
    // From critical straight to normal when the reading fell below both.
    expect(nextLevel('critical', 60, t, 3)).toBe('normal');
    // From critical, between the warning threshold less hysteresis and the warning threshold: still warning.
    expect(nextLevel('critical', 73, t, 3)).toBe('warning');
  });

  it('with no hysteresis, follows the thresholds exactly', () => {
    expect(nextLevel('critical', 89.999, t, 0)).toBe('warning');
    expect(nextLevel('warning', 74.999, t, 0)).toBe('normal');
  });

  it('uses the GPU defaults 85 / 95 when given them', () => {
    expect(nextLevel('normal', 84, DEFAULT_GPU_THRESHOLDS, 3)).toBe('normal');
    expect(nextLevel('normal', 85, DEFAULT_GPU_THRESHOLDS, 3)).toBe('warning');
    expect(nextLevel('normal', 95, DEFAULT_GPU_THRESHOLDS, 3)).toBe('critical');
  });
});

describe('AlertTracker', () => {
  const run = (readings: (number | null)[], hysteresis: number): { levels: AlertLevel[]; changes: LevelChange[] } => {
    const tracker = new AlertTracker(hysteresis);
    const changes: LevelChange[] = [];
    return { levels: readings.map((c) => tracker.update('s', c, t, changes)), changes };
  };

  it('does not flap on a reading that wavers around a threshold', () => {
    // 74.5 … 76 around the 75 °C warning threshold, by less than the 3 °C hysteresis.
    const wave = [74, 75.5, 74.5, 76, 74.5, 75, 73, 75.5, 72.5];
    const { levels, changes } = run(wave, 3);
    expect(levels).toEqual(['normal', 'warning', 'warning', 'warning', 'warning', 'warning', 'warning', 'warning', 'warning']);
    expect(changes).toEqual([{ key: 's', previous: 'normal', level: 'warning', celsius: 75.5 }]);
    // The same readings without hysteresis change level at every crossing.
    expect(run(wave, 0).changes).toHaveLength(8);
  });

  it('reports every real change, up and down, once', () => {
    const { changes } = run([70, 91, 88, 86, 74, 71, 71], 3);
    expect(changes.map((c) => [c.previous, c.level, c.celsius])).toEqual([
      ['normal', 'critical', 91],
      ['critical', 'warning', 86],
      ['warning', 'normal', 71],
    ]);
  });

  it('keeps the level of a sensor that could not be read', () => {
    const { levels, changes } = run([92, null, null, 92], 3);
    expect(levels).toEqual(['critical', 'critical', 'critical', 'critical']);
    expect(changes).toHaveLength(1);
  });

  it('forgets sensors that are gone, so one that comes back starts again at normal', () => {
    const tracker = new AlertTracker(3);
    const changes: LevelChange[] = [];
    tracker.update('a', 80, t, changes);
    tracker.retain(new Set());
    tracker.update('a', 80, t, changes);
    expect(changes.map((c) => c.previous)).toEqual(['normal', 'normal']);
  });
});
