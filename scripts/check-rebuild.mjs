#!/usr/bin/env node
// Run after `npm run build:bpf && npm run build:native`: fails when the rebuild from
// source differs from the committed artifacts (eBPF objects, native prebuild, their
// manifests) or added files beside them. The committed artifacts are what users install,
// so they must be exactly what the sources build into.
// Usage: node scripts/check-rebuild.mjs [repository root, default: this checkout]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

const changed = git('status', '--porcelain', '--untracked-files=all', '--', 'packages').trimEnd();
if (changed === '') {
  console.log('check-rebuild: the rebuild is byte-identical to the committed artifacts');
  process.exit(0);
}
const stat = git('diff', '--stat', '--', 'packages').trimEnd();
console.error(
  `check-rebuild: the rebuild from source differs from the committed artifacts:\n${changed
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}${stat ? `\n${stat}` : ''}\n` +
    'check-rebuild: either the sources changed without a rebuild being committed, or this toolchain builds differently\n' +
    '  (compare the `compiler` field of each manifest with `clang --version` / `g++ --version`).\n' +
    '  Remedy: run `npm run build:bpf && npm run build:native` with the toolchain of scripts/install-toolchain.sh and commit the result.',
);
process.exit(1);
