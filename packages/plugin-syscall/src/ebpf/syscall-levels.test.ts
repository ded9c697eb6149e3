import { describe, expect, it } from 'vitest';
import { GOVERNOR_EVENT_THINNING, SyscallLevels } from './syscall-levels.js';

describe('SyscallLevels', () => {
  it('latency mode with allowReload: 1 sheds latency (a reload), 2 thins the events, and back; the reason of latency off is level 1\'s', () => {
    const l = new SyscallLevels('latency');
    l.allowReload = true;
    expect(l.names()).toEqual([expect.stringMatching(/^counts only: /), expect.stringMatching(/^sampled events: /)]);
    expect(l.set(1, 'over at 1')).toBe(true);
    expect([l.mode, l.thinning, l.latencyOff]).toEqual(['counts', 1, 'over at 1']);
    expect(l.set(2, 'over at 2')).toBe(false);
    expect([l.mode, l.thinning, l.latencyOff]).toEqual(['counts', GOVERNOR_EVENT_THINNING, 'over at 1']);
    expect(l.kernelEvery(7)).toBe(70);
    expect(l.set(1, '')).toBe(false);
    expect([l.mode, l.thinning, l.latencyOff]).toEqual(['counts', 1, 'over at 1']);
    expect(l.kernelEvery(7)).toBe(7);
    expect(l.set(0, '')).toBe(true);
    expect([l.mode, l.thinning, l.latencyOff]).toEqual(['latency', 1, '']);
  });

  it('latency mode without allowReload (the default): 1 thins the events, latency stays, no reload', () => {
    const l = new SyscallLevels('latency');
    expect(l.names()).toEqual([expect.stringMatching(/^sampled events: /)]);
    expect(l.set(1, 'over')).toBe(false);
    expect([l.mode, l.thinning, l.latencyOff]).toEqual(['latency', GOVERNOR_EVENT_THINNING, '']);
    expect(l.set(0, '')).toBe(false);
    expect([l.mode, l.thinning]).toEqual(['latency', 1]);
  });

  it('counts mode: 1 thins the events, with no reload and no latency reason', () => {
    const l = new SyscallLevels('counts');
    expect(l.names()).toEqual([expect.stringMatching(/^sampled events: /)]);
    expect(l.set(1, 'over')).toBe(false);
    expect([l.mode, l.thinning, l.latencyOff]).toEqual(['counts', GOVERNOR_EVENT_THINNING, '']);
    expect(l.set(0, '')).toBe(false);
    expect(l.thinning).toBe(1);
  });
});
