// libbpf's messages routed to a logger: queued by the native print callback
// (on whatever thread libbpf printed) and delivered on the event loop.
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { LoadFailed } from '@bpfscope/core';
import { describeKernel } from '../../../test/real-kernel.js';
import { fixture } from '../test/helpers.js';
import { BpfObject, setLibbpfLogger, type LibbpfLogger } from './index.js';

interface Captured {
  logger: LibbpfLogger;
  lines: { level: string; message: string; fields: unknown }[];
}

function capture(): Captured {
  const lines: Captured['lines'] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>): void => {
    lines.push({ level, message, fields });
  };
  return { lines, logger: { warn: at('warn'), info: at('info'), debug: at('debug') } };
}

/** Lets queued deliveries run: up to `turns` event-loop turns until `done()`. */
async function drain(done: () => boolean, turns = 1000): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await tick();
}

afterEach(() => setLibbpfLogger(null));

describeKernel('libbpf log routing', () => {
  it('delivers debug messages of an open (JS thread) and a load (pool thread) later, on the event loop', async () => {
    const { logger, lines } = capture();
    setLibbpfLogger(logger, 'debug');
    const obj = BpfObject.open(fixture('iter_task.bpf.o'));
    // libbpf printed during open, but nothing was called from inside its callback.
    expect(lines).toHaveLength(0);
    await obj.load();
    await drain(() => lines.some((l) => /CO-RE|relocat/i.test(l.message)));
    obj.close();
    expect(lines.some((l) => l.level === 'debug' && /loading object|elf:/.test(l.message))).toBe(true);
    expect(lines.some((l) => /CO-RE|relocat/i.test(l.message))).toBe(true); // printed on the load's pool thread
    for (const l of lines) {
      expect(l.message).toMatch(/^libbpf: \S/);
      expect(l.message.endsWith('\n')).toBe(false);
      expect(l.fields).toEqual({ source: 'libbpf' });
    }
  });

  it('at warn level only warnings arrive, and the failure is still captured into LoadFailed', async () => {
    const { logger, lines } = capture();
    setLibbpfLogger(logger, 'warn');
    const obj = BpfObject.open(fixture('missing_btf_tp.bpf.o'));
    const e: unknown = await obj.load().catch((err: unknown) => err);
    obj.close();
    expect(e).toBeInstanceOf(LoadFailed);
    expect((e as LoadFailed).verifierLog).not.toBe('');
    await drain(() => lines.length > 0);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.level === 'warn')).toBe(true);
    expect(lines.some((l) => (e as LoadFailed).verifierLog.includes(l.message.replace(/^libbpf: /, '').slice(0, 40)))).toBe(true);
  });

  it('null stops delivery; a logger that throws does not break anything', async () => {
    const { logger, lines } = capture();
    setLibbpfLogger(logger, 'debug');
    setLibbpfLogger(null);
    const quiet = BpfObject.open(fixture('iter_task.bpf.o'));
    await quiet.load();
    quiet.close();
    await drain(() => false, 50);
    expect(lines).toHaveLength(0);

    let calls = 0;
    const throwing = (): never => {
      calls++;
      throw new Error('logger failure');
    };
    setLibbpfLogger({ warn: throwing, info: throwing, debug: throwing }, 'debug');
    const obj = BpfObject.open(fixture('iter_task.bpf.o'));
    await obj.load();
    obj.close();
    await drain(() => calls > 5);
    expect(calls).toBeGreaterThan(5);
    expect(() => setLibbpfLogger(logger, 'loud' as 'warn')).toThrow(TypeError);
  });
});
