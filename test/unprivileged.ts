// Runs commands as the unprivileged user nobody, optionally with ambient capabilities, for
// the tests that prove bpfscope works without root (docs/running-without-root.md).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The capabilities bpfscope's families need (setpriv spelling). */
export const BPF_CAPS = ['bpf', 'perfmon'] as const;

/** What a command run as nobody did. */
export interface UnprivilegedRun {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The setpriv argv that runs `argv` as nobody:nogroup with no supplementary groups and,
 * when `caps` is not empty, those capabilities inheritable and ambient (so they survive
 * the exec into node, which has no file capabilities).
 */
export function asNobody(argv: readonly string[], caps: readonly string[] = []): string[] {
  const capArgs = caps.length === 0 ? [] : [`--inh-caps=${caps.map((c) => `+${c}`).join(',')}`, `--ambient-caps=${caps.map((c) => `+${c}`).join(',')}`];
  return ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...capArgs, ...argv];
}

/**
 * Run `argv` as nobody (with `caps` ambient), in a directory nobody may enter; never rejects
 * for a non-zero exit.
 */
export function runAsNobody(argv: readonly string[], caps: readonly string[] = [], cwd = tmpdir()): Promise<UnprivilegedRun> {
  return new Promise((resolve, reject) => {
    const child = execFile('setpriv', asNobody(argv, caps), { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code === 'string') reject(err); // setpriv itself missing
      else resolve({ code: child.exitCode, stdout, stderr });
    });
  });
}

/**
 * Throws, naming the path, when nobody cannot read `paths` (the repository checked out with
 * a umask of 077, or under a home directory of mode 700): the test then cannot run as
 * nobody, and says so instead of failing for an unrelated reason.
 */
export function requireReadableByNobody(paths: readonly string[]): void {
  for (const p of paths) {
    try {
      execFileSync('setpriv', asNobody(['test', '-r', p]), { stdio: 'ignore' });
    } catch {
      throw new Error(`${p} is not readable by the user nobody; make the checkout world-readable (chmod -R a+rX) to run this test`);
    }
  }
}

/** A fresh temporary directory that nobody may read and enter (mkdtemp makes it 0700). */
export function nobodyReadableDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}
