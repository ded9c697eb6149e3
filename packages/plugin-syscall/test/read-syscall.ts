// One syscall reading through the engine, for the real-eBPF tests.
import { expect } from 'vitest';
import type { Engine } from '@bpfscope/core';
import type { SyscallMetrics } from '../src/records.js';

/** A logger that says nothing: the tests check results, not log lines. */
export const silent = { error() {}, warn() {}, info() {}, debug() {} };

/** Collect once and return the syscall family's data, which must come from eBPF. */
export async function readSyscall(engine: Engine): Promise<SyscallMetrics> {
  const snap = await engine.collect();
  const r = snap.get('syscall');
  if (!r) throw new Error(`no syscall family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  expect(r.source).toBe('ebpf');
  return r.data;
}
