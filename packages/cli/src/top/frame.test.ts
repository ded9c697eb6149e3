import { describe, expect, it } from 'vitest';
import { fitWidth, layoutFrame, type Pane } from './frame.js';
import { parseKeys } from './keys.js';

const pane = (title: string, rows: number, tail: string[] = []): Pane => ({
  title,
  subtitle: 'ebpf',
  head: [`${title} head`],
  rows: Array.from({ length: rows }, (_, i) => `${title} row ${i}`),
  tail,
});

describe('layoutFrame', () => {
  it('without limits, every line of every pane, one blank line before each pane', () => {
    expect(layoutFrame(['top'], [pane('a', 2, ['a note']), pane('b', 1)], { columns: null, rows: null })).toEqual([
      'top', '', '[a] ebpf', 'a head', 'a row 0', 'a row 1', 'a note', '', '[b] ebpf', 'b head', 'b row 0',
    ]);
  });

  it('a short terminal: every pane keeps its title, head, a row and its tail; the rows left are shared in turn and the cut is said', () => {
    // 14 rows: header 1, two panes of blank + title + head = 6, a row of each 2, a's note 1: 4 rows left, 2 each.
    expect(layoutFrame(['top'], [pane('a', 10, ['a note']), pane('b', 10)], { columns: null, rows: 14 })).toEqual([
      'top',
      '', '[a] ebpf', 'a head', 'a row 0', 'a row 1', '  ... 8 more (a taller terminal shows them)', 'a note',
      '', '[b] ebpf', 'b head', 'b row 0', 'b row 1', '  ... 8 more (a taller terminal shows them)',
    ]);
  });

  it('tails come after the rows, as far as the height allows, before the rows past the first', () => {
    expect(layoutFrame(['top'], [pane('a', 1, ['n1', 'n2'])], { columns: null, rows: 6 })).toEqual(['top', '', '[a] ebpf', 'a head', 'a row 0', 'n1']);
    expect(layoutFrame(['top'], [pane('a', 3, ['n1'])], { columns: null, rows: 7 })).toEqual(['top', '', '[a] ebpf', 'a head', 'a row 0', '  ... 2 more (a taller terminal shows them)', 'n1']);
  });

  it('a terminal shorter than the titles: cut at its height', () => {
    expect(layoutFrame(['top'], [pane('a', 3), pane('b', 3)], { columns: null, rows: 5 })).toEqual(['top', '', '[a] ebpf', 'a head', '']);
  });

  it('cuts every line to the width with ~ in the last column', () => {
    expect(layoutFrame(['bpfscope top header'], [pane('cpu', 1)], { columns: 8, rows: null })).toEqual(['bpfscop~', '', '[cpu] e~', 'cpu head', 'cpu row~']);
  });
});

describe('fitWidth', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(fitWidth('R² 0.99', 7)).toBe('R² 0.99');
    expect(fitWidth('R² 0.99', 4)).toBe('R² ~');
    expect(fitWidth('abc', 0)).toBe('');
    expect(fitWidth('abc', null)).toBe('abc');
  });
});

describe('parseKeys', () => {
  it('q, Q, Ctrl-C and Ctrl-D quit; c m p i s sort; arrow keys and other keys do nothing', () => {
    expect(parseKeys('m')).toEqual([{ type: 'sort', by: 'mem' }]);
    expect(parseKeys('cpisx')).toEqual([
      { type: 'sort', by: 'cpu' }, { type: 'sort', by: 'pid' }, { type: 'sort', by: 'io' }, { type: 'sort', by: 'syscalls' },
    ]);
    expect(parseKeys('\u001b[A\u001bOPq')).toEqual([{ type: 'quit' }]);
    expect(parseKeys('Q\u0003\u0004')).toEqual([{ type: 'quit' }, { type: 'quit' }, { type: 'quit' }]);
    expect(parseKeys('zx \r')).toEqual([]);
  });
});
