// One syscall reading through the engine, for the real-eBPF tests.
import { expect } from 'vitest';
import type { Engine, FamilyResult } from '@bpfscope/core';
import type { SyscallMetrics } from '../src/records.js';

/** A logger that says nothing: the tests check results, not log lines. */
export const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Collect once and return the syscall family's result, which must come from eBPF. */
export async function readSyscallResult(engine: Engine): Promise<FamilyResult<SyscallMetrics>> {
  const snap = await engine.collect();
  const r = snap.get('syscall');
  if (!r) throw new Error(`no syscall family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  expect(r.source).toBe('ebpf');
  return r;
}

/** Collect once and return the syscall family's data, which must come from eBPF. */
export async function readSyscall(engine: Engine): Promise<SyscallMetrics> {
  return (await readSyscallResult(engine)).data;
}

/** Reads (60 ms apart) until `done` holds for a result, at most `maxReads` more times; returns the last. */
export async function readSyscallUntil(engine: Engine, done: (r: FamilyResult<SyscallMetrics>) => boolean, maxReads = 600): Promise<FamilyResult<SyscallMetrics>> {
  let r = await readSyscallResult(engine);
  for (let i = 0; i < maxReads && !done(r); i++) {
    await new Promise((resolve) => setTimeout(resolve, 60));
    r = await readSyscallResult(engine);
  }
  return r;
}
