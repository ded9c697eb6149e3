import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventProcessingFailed } from '@bpfscope/core';
import { caught, fixture } from '../../test/fixture-helpers.js';
import { parseLoadavg } from './parse-loadavg.js';

const parseFile = (path: string) => parseLoadavg(readFileSync(path, 'utf8'), path);

describe('parseLoadavg', () => {
  it.each([
    ['vm-6.18-2cpu', { load1: 0.1, load5: 0.2, load15: 0.09, runnable: 1, total: 84, lastPid: 3607 }],
    ['vm-6.18-2cpu-loaded', { load1: 1.13, load5: 0.39, load15: 0.18, runnable: 4, total: 89, lastPid: 7888 }],
  ])('%s', (tree, expected) => {
    expect(parseFile(fixture(`${tree}/proc/loadavg`))).toEqual(expected);
  });

  it('malformed/loadavg-3-fields → EventProcessingFailed naming the file', () => {
    const path = fixture('malformed/loadavg-3-fields/proc/loadavg');
    const e = caught(() => parseFile(path));
    expect(e).toBeInstanceOf(EventProcessingFailed);
    expect(e).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path, line: 1, content: '0.10 0.20 0.09' } });
  });

  it.each(['0.10 0.20 x 1/84 3607', '0.10 0.20 0.09 184 3607', '0.10 0.20 0.09 1/84 -1'])('rejects %j', (text) => {
    expect(caught(() => parseLoadavg(text, 'p'))).toMatchObject({ code: 'EVENT_PROCESSING_FAILED', details: { path: 'p', line: 1 } });
  });
});
