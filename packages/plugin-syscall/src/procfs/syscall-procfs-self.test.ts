import { describe, expect, it } from 'vitest';
import { createEngine } from '@bpfscope/core';
import { syscall } from '../plugin.js';

const silent = { error() {}, warn() {}, info() {}, debug() {} };

async function listed(includeSelf: boolean | undefined): Promise<number[]> {
  const plugin = syscall({ ...(includeSelf === undefined ? {} : { includeSelf }), topProcesses: 1_000_000 });
  const engine = createEngine({ plugins: [plugin], config: { mode: 'fallback', cache: { enabled: false } }, logger: silent });
  await engine.start();
  try {
    const r = (await engine.collect()).get('syscall');
    expect(r?.source).toBe('procfs');
    return r!.data.processes.map((p) => p.pid);
  } finally {
    await engine.close();
  }
}

describe('syscall procfs source: the collector leaves itself out', () => {
  it('lists every process but this one by default, and this one too with includeSelf', async () => {
    expect(await listed(undefined)).not.toContain(process.pid);
    expect(await listed(true)).toContain(process.pid);
    // Another process that is surely alive is listed either way.
    expect(await listed(undefined)).toContain(process.ppid);
  });
});
