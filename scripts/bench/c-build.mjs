// Compiles a C reference of scripts/bench/c/ with libbpf into a temp dir, at
// bench time, and runs it with JSON output, or keeps it running to answer one
// request line with one response line (serve).
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const C_DIR = new URL('./c/', import.meta.url).pathname;

/**
 * Builds `c/<name>.c` and returns { run(args) → parsed JSON, serve(args) → a
 * running server, cleanup() }. A server prints one line when ready, then one
 * response line per request line: `await server.request()` sends a request and
 * returns the response; `server.close()` ends it (EOF on its stdin).
 */
export function buildC(name) {
  const dir = mkdtempSync(join(tmpdir(), `bpfscope-bench-${name}-`));
  const exe = join(dir, name);
  const cc = process.env.CC ?? 'gcc';
  try {
    execFileSync(cc, ['-O2', '-Wall', '-o', exe, join(C_DIR, `${name}.c`), '-lbpf'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`building the C reference ${name}.c with ${cc} -lbpf failed (apt-get install gcc libbpf-dev): ${e.stderr?.toString() ?? e}`);
  }
  return {
    run: (args) => JSON.parse(execFileSync(exe, args.map(String), { encoding: 'utf8' })),
    serve: (args) => serve(exe, args),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Compiles `c/<name>.bpf.c` (CO-RE, against bpf/include's vmlinux.h) with clang into
 * a temp dir; returns { path, cleanup() }.
 */
export function buildBpf(name) {
  const dir = mkdtempSync(join(tmpdir(), `bpfscope-bench-${name}-`));
  const path = join(dir, `${name}.bpf.o`);
  const include = new URL('../../bpf/include/', import.meta.url).pathname;
  try {
    execFileSync(process.env.CLANG ?? 'clang', ['-O2', '-g', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', include, '-c', join(C_DIR, `${name}.bpf.c`), '-o', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`building ${name}.bpf.c with clang failed (apt-get install clang libbpf-dev): ${e.stderr?.toString() ?? e}`);
  }
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function serve(exe, args) {
  const child = spawn(exe, args.map(String), { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(`${exe} exited (${signal ?? code})`)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await Promise.race([lines.next(), exited]);
    if (typeof line === 'string' || line.done) throw new Error(typeof line === 'string' ? line : `${exe} closed its output`);
    return line.value;
  };
  await next(); // ready
  return {
    request: () => {
      child.stdin.write('\n');
      return next();
    },
    close: () => {
      child.stdin.end();
      return exited;
    },
  };
}
