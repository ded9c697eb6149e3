// A process tree of known shape whose every process blocks on a pipe the test holds, so
// that each lives as long as the test wants (long enough for any procfs scan) without
// sleeping. Shared by the procfs and eBPF tests of proc events and process trees.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { listProc } from './kernel-helpers.js';

/**
 * `sh` reads a command word from its stdin (fd 0) at each step:
 * - `flat N`: forks N children that each block reading one line from fd 3;
 * - `nest K`: forks K subshells that each fork a grandchild; both block reading one line from fd 3;
 * - anything else (or EOF): waits for its children and exits 0.
 * After each step it prints `ok` on stdout. Background jobs read fd 3 explicitly (a
 * non-interactive shell gives them /dev/null as stdin).
 */
const SCRIPT = `
while read cmd n; do
  case $cmd in
    flat) i=0; while [ $i -lt $n ]; do read _ <&3 & i=$((i+1)); done ;;
    nest) i=0; while [ $i -lt $n ]; do ( read _ <&3 & read _ <&3; wait ) & i=$((i+1)); done ;;
    *) break ;;
  esac
  echo ok
done
wait
`;

/** The workload: its shell, and the steps the test drives. */
export interface GatedTree {
  readonly sh: ChildProcess;
  readonly pid: number;
  /** Run a step (`flat N` or `nest K`); resolves once the shell has forked them all. */
  step(cmd: 'flat' | 'nest', n: number): Promise<void>;
  /** Let `n` blocked processes go (one line each on fd 3). */
  release(n: number): void;
  /** Ask the shell to wait for its children and exit; resolves on its exit. */
  finish(): Promise<number | null>;
}

/** Start the shell: it blocks on its stdin before forking anything. */
export async function gatedTree(): Promise<GatedTree> {
  const sh = spawn('sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    sh.once('spawn', resolve);
    sh.once('error', reject);
  });
  const gate = sh.stdio[3] as Writable;
  let out = '';
  const waiters: Array<() => void> = [];
  sh.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    while (out.includes('ok\n')) {
      out = out.slice(out.indexOf('ok\n') + 3);
      waiters.shift()?.();
    }
  });
  const exit = new Promise<number | null>((resolve) => sh.once('exit', (code) => resolve(code)));
  return {
    sh,
    pid: sh.pid!,
    step: (cmd, n) =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        sh.stdin!.write(`${cmd} ${n}\n`);
      }),
    release: (n) => void gate.write('x\n'.repeat(n)),
    finish: () => {
      sh.stdin!.end('exit 0\n');
      return exit;
    },
  };
}

/** The descendants of `root` with their parents, as /proc says now: `pid<-ppid` strings, sorted. */
export function realDescendants(root: number): string[] {
  const all = listProc();
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    for (const [pid, e] of all) {
      if (e.ppid !== parent) continue;
      out.push(`${pid}<-${parent}`);
      stack.push(pid);
    }
  }
  return out.sort();
}
