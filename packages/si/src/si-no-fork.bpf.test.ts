// No child process, ever: the proc family's eBPF fork events of this test's own process are
// watched while a fresh facade (its engine created, every plugin loaded, by these calls) runs
// every function. A marker child (/bin/true) started after them closes the window: its fork
// event comes after any fork the facade made, so the events before it are the facade's.
// Then systeminformation's same calls run, closed by a second marker, to show the watcher
// sees forks (systeminformation runs ps, cat, netstat, df through a shell): the check can fail.
import { spawn } from 'node:child_process';
import si from 'systeminformation';
import { expect, it } from 'vitest';
import { createConsoleLogger, createEngine } from '@bpfscope/core';
import { proc, type ProcessEvent } from '@bpfscope/plugin-proc';
import { describeKernel } from '../../../test/real-kernel.js';
import { exited, spawned } from '../../plugin-proc/test/kernel-helpers.js';
import { SystemInformation } from './system-information.js';

const logger = createConsoleLogger('silent');

/** Starts /bin/true and returns its PID once it exited. */
async function marker(): Promise<number> {
  const c = spawn('/bin/true', { stdio: 'ignore' });
  await spawned(c);
  await exited(c);
  return c.pid!;
}

/** The forks of this process up to (without) the marker's; the iterator stays open (no for-await, whose exit would end the stream). */
async function forksUntil(events: AsyncIterator<ProcessEvent>, markerPid: number): Promise<ProcessEvent[]> {
  const out: ProcessEvent[] = [];
  for (;;) {
    const next = await events.next();
    if (next.done) throw new Error('the fork stream ended before the marker');
    const e = next.value;
    if (e.type !== 'fork' || e.ppid !== process.pid) continue;
    if (e.pid === markerPid) return out;
    out.push(e);
  }
}

type Fn = 'currentLoad' | 'mem' | 'processes' | 'networkStats' | 'networkConnections' | 'fsSize' | 'disksIO' | 'cpuTemperature' | 'graphics';

/** Every function once, networkStats twice (default interface, all), on the facade or on systeminformation. */
async function everyFunction(api: Record<Fn, (arg?: string) => Promise<unknown>>): Promise<void> {
  await api.currentLoad();
  await api.mem();
  await api.processes();
  await api.networkStats();
  await api.networkStats('*');
  await api.networkConnections();
  await api.fsSize();
  await api.disksIO();
  await api.cpuTemperature();
  await api.graphics();
}

describeKernel('@bpfscope/si starts no child process', () => {
  it("calls every function (engine creation included) without one fork of the test's process; systeminformation's same calls fork, seen by the same watcher", async () => {
    const watcher = createEngine({ plugins: [proc()], config: { mode: 'ebpf', cache: { enabled: false } }, logger });
    const ac = new AbortController();
    const facade = new SystemInformation({ config: { mode: 'ebpf' }, logger });
    try {
      const stream = watcher.events('proc', { signal: ac.signal, tree: process.pid, types: ['fork'] });
      await stream.ready;
      const events = stream[Symbol.asyncIterator]();
      await everyFunction(facade);
      await everyFunction(facade); // a second round: the interval-based values take their second reading
      const first = await marker();
      expect(await forksUntil(events, first)).toEqual([]);

      await everyFunction(si);
      const second = await marker();
      const siForks = await forksUntil(events, second);
      expect(siForks.length).toBeGreaterThan(0);
      for (const f of siForks) expect(f).toMatchObject({ ppid: process.pid, observed: 'ebpf' });
      expect(stream.counts()).toMatchObject({ droppedQueue: 0, droppedKernel: 0 });
    } finally {
      ac.abort();
      await facade.close();
      await watcher.close();
    }
  });
});
