// The npm and node this test runs on, and environments for a nested npm.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (three levels above this folder's package). */
export const REPO_ROOT = realpathSync(new URL('../../../..', import.meta.url).pathname);

/** Tools that would let npm compile an addon; none may be on the bare PATH. */
export const BUILD_TOOLS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'make', 'python', 'python3', 'node-gyp'];

/** The npm CLI script (npm-cli.js) behind the `npm` on PATH. */
export function npmCli(): string {
  return realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
}

/** process.env without npm's per-run variables (a nested npm must not inherit this run's workspace or prefix), plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** True when an executable `name` is in one of PATH's directories. */
export function onPath(path: string, name: string): boolean {
  return path.split(':').some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * A directory holding only `node` and `npm` (links to the ones running this test),
 * to be the whole PATH of an install that must not compile anything.
 */
export function barePath(dir: string): string {
  mkdirSync(dir, { recursive: true });
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync(npmCli(), join(dir, 'npm'));
  return dir;
}
