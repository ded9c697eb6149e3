import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { forwardSignals } from './forward-signals.js';

// Signals are delivered by emitting them on `process` (what Node does on delivery), so
// the test process itself is never signalled.
describe('forwardSignals', () => {
  it('a signal that arrives before the command is attached is passed on once it is', async () => {
    const said: string[] = [];
    const forwarding = forwardSignals((s) => said.push(s));
    try {
      process.emit('SIGTERM', 'SIGTERM');
      const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
      await once(child, 'spawn');
      const exit = once(child, 'exit');
      forwarding.attach(child.pid!);
      const [code, signal] = (await exit) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(said).toEqual([`bpfscope run: SIGTERM passed on to the command's process group ${child.pid}; a second signal kills the group (SIGKILL)\n`]);
    } finally {
      forwarding.stop();
    }
  });

  it('a second signal kills the group with SIGKILL', async () => {
    const said: string[] = [];
    const forwarding = forwardSignals((s) => said.push(s));
    try {
      // The shell ignores SIGINT, and so does its background job: only SIGKILL ends them.
      const child = spawn('sh', ['-c', 'trap "" INT; sleep 1000 & echo ready; wait; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      await once(child.stdout, 'data'); // the trap is set
      const exit = once(child, 'exit');
      forwarding.attach(child.pid!);
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      const [code, signal] = (await exit) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
      expect(said[1]).toBe(`bpfscope run: SIGINT again: SIGKILL sent to the process group ${child.pid}\n`);
    } finally {
      forwarding.stop();
    }
  });
});
