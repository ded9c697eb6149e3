import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bpfscope/core';
import { mem } from './plugin.js';

describe('mem() options', () => {
  it('bad values → ConfigError naming the option', () => {
    expect(() => mem({ topProcesses: -1 })).toThrow(/mem\.topProcesses/);
    expect(() => mem({ pids: [0] })).toThrow(/mem\.pids\[0\]/);
    expect(() => mem({ pids: 'all' as never })).toThrow(ConfigError);
    expect(() => mem({ maxOomVictims: 1.5 })).toThrow(/mem\.maxOomVictims/);
    expect(() => mem({ prediction: { capacity: 1 } })).toThrow(/oom\.capacity/);
    expect(() => mem({ cgroups: 'yes' as never })).toThrow(/mem\.cgroups/);
  });

  it('defaults are valid', () => {
    expect(mem()).toMatchObject({ name: 'mem', version: '0.1.0' });
  });
});
