import { existsSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { AttachFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { runChild } from '../test/helpers.js';
import { BpfObject } from './index.js';
import { PROBE_OBJECT } from './probe-attach-types.js';

// The two places libbpf looks for tracefs.
const tracefsMounted = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');

describeKernel('tracepoint/<category>/<name> attach', () => {
  let obj: BpfObject | undefined;
  afterEach(() => obj?.close());

  it(`${tracefsMounted ? 'works with tracefs mounted' : 'without tracefs: AttachFailed whose remedy names tracefs and says tp_btf/raw_tp need none'}`, async () => {
    obj = BpfObject.open(PROBE_OBJECT, { name: 'tp_test' });
    for (const p of obj.programs()) obj.setAutoload(p.name, p.name === 'probe_tp');
    await obj.load();
    if (tracefsMounted) {
      const link = obj.attach('probe_tp');
      expect(link.attachPoint).toBe('tracepoint/sched/sched_switch');
      expect(link.attached).toBe(true);
      link.destroy();
      return;
    }
    let error: unknown;
    try {
      obj.attach('probe_tp');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttachFailed);
    const e = error as AttachFailed;
    expect(e.program).toBe('probe_tp');
    expect(e.attachPoint).toBe('tracepoint/sched/sched_switch');
    expect(e.errno).toBe(2);
    expect(e.message).toMatch(/tracefs is not mounted/);
    expect(e.remedy).toContain('mount -t tracefs tracefs /sys/kernel/tracing');
    expect(e.remedy).toMatch(/tp_btf and raw_tp programs need no tracefs/);
    expect(e.details.tracefsMounted).toBe(false);
  });

  it('with tracefs mounted (in a private mount namespace), a tracepoint program fires exactly once per call of the process it watches', async () => {
    const calls = 5000;
    // The mount stays inside the namespace: this process and the rest of the machine keep
    // whatever they had, and it goes away with the child. Where the machine already has
    // tracefs there, the namespace keeps that mount.
    const mount = '{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; }';
    const wrap = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `${mount} && exec "$@"`, 'sh'];
    const r = await runChild('tracepoint-count.ts', { CALLS: String(calls) }, wrap);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { tracefs: boolean; attachPoint: string; calls: number; counted: number };
    expect(result).toEqual({ tracefs: true, attachPoint: 'tracepoint/syscalls/sys_enter_getppid', calls, counted: calls });
  });

  it('a tp_btf program on the same tracepoint attaches either way', async () => {
    obj = BpfObject.open(PROBE_OBJECT, { name: 'tp_test' });
    for (const p of obj.programs()) obj.setAutoload(p.name, p.name === 'probe_tp_btf' || p.name === 'probe_raw_tp');
    await obj.load();
    expect(obj.attach('probe_tp_btf').attached).toBe(true);
    expect(obj.attach('probe_raw_tp').attached).toBe(true);
  });
});
