// The eBPF example of docs/writing-a-plugin.md, built and run exactly as the guide
// says: its C, build script, TypeScript and package.json are taken from the guide,
// the build script runs as written (bpftool, the shared headers from this checkout,
// clang), and the plugin counts signals that this test sends to a child of its own.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine, isBpfscopeError, type Engine, type Plugin } from '@bpfscope/core';
import { describeKernel } from '../../test/real-kernel.js';
import { ROOT, docBlocks, writeExamples } from './doc-examples.js';

const DIR = join(ROOT, '.tmp/doc-examples/ebpf-example');
const { SIGURG, SIGWINCH, SIGKILL } = constants.signals;

interface SignalsModule {
  signals(options?: { pid?: number; objectPath?: string }): Plugin;
  SIGNALS_OBJECT: string;
}

// Strict: a failing eBPF source is an error, never a silent fallback. The engine's log
// stays quiet; errors reach the test through the API.
const strictEngine = (plugin: Plugin): Engine =>
  createEngine({ plugins: [plugin], config: { cache: { enabled: false }, logLevel: 'silent', families: { signals: { mode: 'ebpf' } } } });

async function bySignal(engine: Engine): Promise<Record<number, number> | undefined> {
  const snap = await engine.collect();
  expect(snap.errors).toEqual([]);
  return (snap.get('signals')?.data as { bySignal: Record<number, number> } | undefined)?.bySignal;
}

describeKernel('docs/writing-a-plugin.md: the eBPF example', () => {
  let mod: SignalsModule;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    writeExamples(docBlocks('docs/writing-a-plugin.md'), DIR);
    execFileSync('sh', ['build-bpf.sh'], { cwd: DIR, env: { ...process.env, BPFSCOPE: ROOT }, stdio: 'pipe' });
    mod = (await import(pathToFileURL(join(DIR, 'src/signals.ts')).href)) as SignalsModule;
  });

  afterAll(() => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('finds the object its build script wrote, relative to the module', () => {
    expect(mod.SIGNALS_OBJECT).toBe(join(DIR, 'bpf/signals.bpf.o'));
    expect(existsSync(mod.SIGNALS_OBJECT)).toBe(true);
  });

  it('counts exactly the signals sent to one process, by number, and none sent to others', async () => {
    // Its own session: no terminal can send it SIGWINCH. SIGURG and SIGWINCH are
    // ignored by default, so it survives them; every one is still generated.
    child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const pid = child.pid;
    if (pid === undefined) throw new Error('sleep did not start');
    const engine = strictEngine(mod.signals({ pid }));
    try {
      await engine.start();
      expect(await bySignal(engine)).toEqual({});
      for (let i = 0; i < 40; i++) process.kill(pid, SIGURG);
      for (let i = 0; i < 7; i++) process.kill(pid, SIGWINCH);
      // The tracepoint runs inside kill(): the counts are complete when it returns.
      expect(await bySignal(engine)).toEqual({ [SIGURG]: 40, [SIGWINCH]: 7 });
      const exited = once(child, 'exit');
      process.kill(pid, SIGKILL);
      await exited;
      expect(await bySignal(engine)).toEqual({ [SIGURG]: 40, [SIGWINCH]: 7, [SIGKILL]: 1 });
    } finally {
      await engine.close();
    }
  });

  it('fails with LoadFailed naming the path when the object is missing', async () => {
    const missing = join(DIR, 'bpf/missing.bpf.o');
    const engine = strictEngine(mod.signals({ objectPath: missing }));
    try {
      const error: unknown = await engine.start().then(() => null, (e: unknown) => e);
      expect(isBpfscopeError(error) && error.code).toBe('LOAD_FAILED');
      expect(String((error as Error).message)).toContain(missing);
    } finally {
      await engine.close();
    }
  });

  it('ships the object: npm pack takes bpf/signals.bpf.o by the files entry, and not the build headers', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: DIR, encoding: 'utf8' });
    const packed = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
    expect(packed).toContain('bpf/signals.bpf.o');
    expect(packed).toContain('package.json');
    expect(packed.filter((p) => p.startsWith('include/') || p.startsWith('src/'))).toEqual([]);
  });
});
