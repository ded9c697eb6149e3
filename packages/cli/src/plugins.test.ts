// The command's plugin factories: per-process detail of mem and syscall follows
// FamilyOptions.processes (serve turns it on only for --detail process), on by default.
import { createEngine } from '@bpfscope/core';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from './plugins.js';

async function memReading(processes: boolean | undefined): Promise<{ listed: number; why: string | undefined }> {
  const engine = createEngine({ plugins: [FAMILIES.mem!({ includeSelf: false, ...(processes === undefined ? {} : { processes }) })], config: { mode: 'fallback', cache: { enabled: false }, logLevel: 'silent' } });
  try {
    const data = (await engine.collect()).get('mem')?.data as { processes: unknown[]; unavailable: Record<string, string> } | undefined;
    return { listed: data!.processes.length, why: data!.unavailable.processes };
  } finally {
    await engine.close();
  }
}

describe('the command’s mem plugin', () => {
  it('lists its top 10 processes by faults by default and with processes: true, none with processes: false', async () => {
    // This machine runs more than 10 processes (the test runner alone has several).
    expect(await memReading(undefined)).toEqual({ listed: 10, why: undefined });
    expect(await memReading(true)).toEqual({ listed: 10, why: undefined });
    expect(await memReading(false)).toEqual({ listed: 0, why: 'per-process faults are not read: they are opt-in (option processes: true)' });
  });
});
