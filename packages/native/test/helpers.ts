// Shared by the native tests: fixture paths, byte helpers, and counting this
// process's BPF file descriptors (what an unclosed object would leak).
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

export const readU64 = (bytes: Uint8Array, offset = 0): bigint =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);

/** Open fds of this process that are BPF programs, maps or links. */
export function bpfFdCount(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (/^anon_inode:bpf[-_](prog|map|link)/.test(readlinkSync(`/proc/self/fd/${fd}`))) n++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return n;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript file of test/children in a fresh node process (vite-node, with the repo's aliases).
 * `wrap` is a command that runs it (e.g. `['unshare', '--mount', 'sh', '-c', 'mount ... && exec "$@"', 'sh']`).
 */
export function runChild(script: string, env: Record<string, string> = {}, wrap: readonly string[] = []): Promise<ChildResult> {
  const viteNode = `${REPO_ROOT}node_modules/.bin/vite-node`;
  const file = fileURLToPath(new URL(`./children/${script}`, import.meta.url));
  const command = [...wrap, viteNode, '--config', `${REPO_ROOT}vitest.config.ts`, file];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] ?? viteNode, command.slice(1), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
