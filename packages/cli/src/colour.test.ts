import { describe, expect, it } from 'vitest';
import { paint, useColour } from './colour.js';
import { main } from './main.js';

describe('colour', () => {
  it('is used on a terminal only, and never with NO_COLOR set or TERM=dumb', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({}, {})).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('paints with ANSI codes only when asked', () => {
    expect(paint(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(paint(false).red('x')).toBe('x');
  });

  it('snapshot output has escape codes on a terminal and none elsewhere', async () => {
    const out = async (isTTY: boolean): Promise<string> => {
      let s = '';
      const saved = { NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
      delete process.env.NO_COLOR;
      delete process.env.TERM;
      try {
        await main(['snapshot', '--mode', 'fallback', '--families', 'cpu'], { stdout: { write: (c: string) => (s += c), isTTY }, stderr: { write: () => true } });
      } finally {
        for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
      }
      return s;
    };
    expect(await out(true)).toContain('\u001b[1mcpu\u001b[22m');
    expect(await out(false)).not.toContain('\u001b[');
  });
});
