// Making the gpu family's eBPF part outside an engine, as the family's source does: the
// engine's loader, a procfs reader and clock, and a start context.
import { execFileSync } from 'node:child_process';
import { createConsoleLogger, createProcfsReader, systemClock, validateConfig, type SourceContext } from '@bpfscope/core';
import { NativeObjectLoader } from '@bpfscope/native';
import { GpuKernel, type GpuKernelSettings } from '../src/ebpf/gpu-kernel.js';
import { GPU_OBJECT_PATH } from '../src/object-path.js';
import { resolveGpuOptions, type GpuPluginOptions } from '../src/options.js';

/** A part with its own loader (its object is loaded for it alone). */
export function gpuKernel(options: GpuPluginOptions = {}, settings: GpuKernelSettings = {}): GpuKernel {
  const services = { loader: new NativeObjectLoader(), procfs: createProcfsReader('/proc', '/sys'), clock: systemClock };
  return new GpuKernel(resolveGpuOptions(options, GPU_OBJECT_PATH), services, settings);
}

/** A start context with the default config and no logging. */
export function startContext(signal = new AbortController().signal): SourceContext {
  return { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal };
}

/**
 * The kernel's links of programs of these names: [program, link type, tracepoint]. By name
 * alone (this bpftool lists no holder pids): the gpu programs are loaded only by these
 * tests, one file at a time.
 */
export function linksOf(names: readonly string[]): string[][] {
  const progs = (JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8' })) as { id: number; name?: string }[]).filter((p) => names.includes(p.name ?? ''));
  const links = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8' })) as { prog_id: number; type: string; tp_name?: string }[];
  return progs.flatMap((p) => links.filter((l) => l.prog_id === p.id).map((l) => [p.name ?? '', l.type, l.tp_name ?? ''])).sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : 1));
}

/** Programs of these names loaded in the kernel (held by anyone). */
export function loaded(names: readonly string[]): string[] {
  return (JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8' })) as { name?: string }[]).map((p) => p.name ?? '').filter((n) => names.includes(n)).sort();
}

/**
 * Wait until no program of these names is loaded: the kernel frees a closed program after
 * an RCU grace period, so it can be listed for a moment after its last fd closed. Polls
 * (no time is asserted); gives up after `rounds` polls and returns what is still loaded.
 */
export async function loadedAfterRelease(names: readonly string[], rounds = 3000): Promise<string[]> {
  let left = loaded(names);
  for (let i = 0; i < rounds && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    left = loaded(names);
  }
  return left;
}
