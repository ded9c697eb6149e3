import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { flipBytes, truncate } from './fuzz/mutate-bytes.js';
import { mutateText } from './fuzz/mutate-text.js';
import { nonFinite, outcomeOf } from './fuzz/outcome.js';
import { Prng } from './fuzz/prng.js';

describe('fuzz harness', () => {
  it('a case is valid only when every number of the result is finite', () => {
    expect(outcomeOf(() => ({ a: 1, b: [2, null, { c: 3n }] }))).toEqual({ kind: 'valid' });
    expect(outcomeOf(() => ({ a: [1, { b: NaN }] }))).toEqual({ kind: 'bad', why: 'non-finite number in the result: .a[1].b = NaN' });
    expect(outcomeOf(() => new Map([['x', Infinity]]))).toMatchObject({ kind: 'bad' });
    expect(outcomeOf(() => Float64Array.of(1, NaN))).toMatchObject({ kind: 'bad' });
    expect(nonFinite({ error: new EventProcessingFailed('kept beside the data') })).toBeUndefined();
  });

  it('a taxonomy error is typed; anything else thrown is a failure', () => {
    expect(outcomeOf(() => { throw new EventProcessingFailed('bad line'); })).toEqual({ kind: 'typed', code: 'EVENT_PROCESSING_FAILED' });
    expect(outcomeOf(() => { throw new RangeError('Offset is outside the bounds of the DataView'); })).toEqual({
      kind: 'bad',
      why: 'threw a non-taxonomy RangeError: Offset is outside the bounds of the DataView',
    });
  });

  it('the PRNG of (seed, index) repeats, and differs between indexes', () => {
    const draw = (seed: number, index: number): number[] => {
      const r = Prng.forCase(seed, index);
      return [r.u32(), r.u32(), r.below(10)];
    };
    expect(draw(1, 5)).toEqual(draw(1, 5));
    expect(draw(1, 5)).not.toEqual(draw(1, 6));
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
  });

  it('mutations change the input and stay in bounds', () => {
    const input = new TextEncoder().encode('cpu  10 20 30 40\ncpu0 1 2 3 4\n');
    let changed = 0;
    for (let i = 0; i < 200; i++) {
      const rng = Prng.forCase(3, i);
      if (mutateText(rng, input, input).text !== 'cpu  10 20 30 40\ncpu0 1 2 3 4\n') changed++;
      expect(truncate(rng, input).length).toBeLessThanOrEqual(input.length);
      expect(flipBytes(rng, input).length).toBe(input.length);
    }
    expect(changed).toBeGreaterThan(150);
  });
});
