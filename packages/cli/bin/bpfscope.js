#!/usr/bin/env -S node --max-semi-space-size=1
// Kept as plain JavaScript outside dist/ so that the command exists as soon as the
// package is installed; the compiled entry does the work.
// --max-semi-space-size=1: a collector keeps each reading until the next one, so
// with Node's default V8 lets its young generation grow to 2 × 16 MB; at 2 × 1 MB the
// process stays ~30 MB smaller for a few more scavenges (docs/memory.md).
import { isNativeAvailable, pinMallocMmapThreshold } from '@bpfscope/native';
import { main } from '../dist/index.bundle.js';

// The same for the C allocator: libbpf's 5 MB BTF free would otherwise raise glibc's
// mmap threshold for good, and freed blocks would stay in this process.
if (isNativeAvailable().ok) pinMallocMmapThreshold();

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
