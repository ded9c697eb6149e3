import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parsePressure } from './parse-pressure.js';

const parseFile = (path: string) => parsePressure(readFileSync(path, 'utf8'), path);
const zero = { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 };

describe('parsePressure', () => {
  it('vm-6.18-2cpu', () => {
    expect(parseFile(fixture('vm-6.18-2cpu/proc/pressure/cpu'))).toEqual({ some: { avg10: 0.69, avg60: 0.57, avg300: 0.78, totalUs: 4887053 }, full: zero });
  });

  it('vm-6.18-2cpu-loaded: real capture under 3 busy loops on 2 CPUs', () => {
    expect(parseFile(fixture('vm-6.18-2cpu-loaded/proc/pressure/cpu'))).toEqual({ some: { avg10: 42.67, avg60: 16.06, avg300: 4.75, totalUs: 21056359 }, full: zero });
  });

  it('kernel-docs-example: the psi.rst example, all zeros', () => {
    expect(parseFile(fixture('kernel-docs-example/proc/pressure/cpu'))).toEqual({ some: zero, full: zero });
  });

  it('before 5.13 (no full line): full is null', () => {
    expect(parsePressure('some avg10=1.50 avg60=0.25 avg300=0.05 total=999\n', 'p')).toEqual({ some: { avg10: 1.5, avg60: 0.25, avg300: 0.05, totalUs: 999 }, full: null });
  });

  it('reads a non-zero full line (cgroup cpu.pressure layout)', () => {
    expect(parsePressure('some avg10=9.00 avg60=8.00 avg300=7.00 total=600\nfull avg10=3.00 avg60=2.00 avg300=1.00 total=500\n', 'p').full).toEqual({ avg10: 3, avg60: 2, avg300: 1, totalUs: 500 });
  });

  it('malformed/pressure-garbage-line → EventProcessingFailed at line 2', () => {
    const path = fixture('malformed/pressure-garbage-line/proc/pressure/cpu');
    const e = caught(() => parseFile(path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path, line: 2, content: '%$ garbage 0.00 0.00' } });
  });

  it.each([
    ['a field out of order', 'some avg60=0.00 avg10=0.00 avg300=0.00 total=0\n', 1],
    ['a non-numeric value', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=x\n', 1],
    ['no some line', 'full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n', 1],
    ['an empty file', '', 1],
  ])('rejects %s', (_name, text, line) => {
    expect(caught(() => parsePressure(text, 'p'))).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line } });
  });
});
