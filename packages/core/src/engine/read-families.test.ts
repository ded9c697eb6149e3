import { describe, expect, it } from 'vitest';
import { fakePlugin } from '../../../../test/fake-plugin.js';
import { DataUnavailable } from '../errors/taxonomy.js';
import { createEngine } from './create-engine.js';
import { compareFamilies } from './read-families.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('a snapshot lists its families and errors by name, whatever the order of the plugins', () => {
  it('families and errors in name order; a family started later takes its place', async () => {
    const plugins = ['zeta', 'alpha', 'mid', 'beta', 'omega'].map((f) => fakePlugin(f, f));
    plugins[3]!.failInit(1, new DataUnavailable('beta', 'not here'));
    plugins[4]!.failInit(1, new DataUnavailable('omega', 'not here'));
    const engine = createEngine({ plugins: plugins.map((p) => p.plugin), config: { cache: { enabled: false } }, logger: silent });
    const first = await engine.collect();
    expect(first.families()).toEqual(['alpha', 'mid', 'zeta']);
    expect(first.errors.map((e) => e.family)).toEqual(['beta', 'omega']);
    expect(first.families().map((f) => first.get(f)?.data)).toEqual([{ value: 'alpha', read: 1 }, { value: 'mid', read: 1 }, { value: 'zeta', read: 1 }]);
    await engine.attemptRecovery(); // beta and omega init now
    const second = await engine.collect();
    expect(second.families()).toEqual(['alpha', 'beta', 'mid', 'omega', 'zeta']);
    expect(second.errors).toEqual([]);
    await engine.close();
  });
});

describe('compareFamilies: the order of families in a snapshot', () => {
  it('orders names of lowercase letters, digits and "-" as localeCompare does', () => {
    const names = ['syscall', 'proc', 'mem', 'cpu', 'net', 'fs', 'cpu-2', 'cpu2', 'cpu-', 'a-b', 'a0', 'ab', 'a', 'gpu-nvidia', 'z9', '9z', ''];
    const byLocale = [...names].sort((a, b) => a.localeCompare(b));
    expect([...names].sort(compareFamilies)).toEqual(byLocale);
    for (const a of names) for (const b of names) expect(Math.sign(compareFamilies(a, b))).toBe(Math.sign(a.localeCompare(b)));
  });

  it('leaves any other name to localeCompare', () => {
    for (const [a, b] of [['B', 'a'], ['a_b', 'a0'], ['Mem', 'cpu'], ['é', 'f']] as const) {
      expect(Math.sign(compareFamilies(a, b))).toBe(Math.sign(a.localeCompare(b)));
      expect(Math.sign(compareFamilies(b, a))).toBe(Math.sign(b.localeCompare(a)));
    }
  });
});
