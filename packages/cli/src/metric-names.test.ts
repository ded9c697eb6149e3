// Every family the command knows writes metric names of its own: a name written by two
// families loses the second family's points (core's metric view) and fails the Prometheus
// exporter when kinds or units differ.
import { describe, expect, it } from 'vitest';
import { FAMILIES } from './plugins.js';

describe('metric names across the families', () => {
  it('no metric name is declared by two families', () => {
    const owner = new Map<string, string>();
    const shared: string[] = [];
    for (const make of Object.values(FAMILIES)) {
      for (const m of make({ includeSelf: false }).metricMappers ?? []) {
        for (const d of m.descriptors) {
          const first = owner.get(d.name);
          if (first !== undefined && first !== m.family) shared.push(`${d.name}: ${first}, ${m.family}`);
          owner.set(d.name, first ?? m.family);
        }
      }
    }
    expect(owner.has('hw.gpu.utilization') && owner.has('hw.temperature')).toBe(true);
    expect(shared).toEqual([]);
  });
});
