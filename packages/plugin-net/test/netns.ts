// A network namespace of a test's own, so that loopback traffic there is the test's only:
// created with iproute2, its `lo` brought up, removed in afterAll.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';

/** A network namespace made for one test file. */
export interface TestNetns {
  readonly name: string;
  /** Its inode number (what the kernel filter and `netNamespace` fields hold). */
  readonly inode: number;
  /** The command prefix that runs a program inside it. */
  readonly exec: string[];
  /** Runs a command inside it and returns its output. */
  run(cmd: string, ...args: string[]): string;
  remove(): void;
}

/** Creates `bpfscope-test-<random>` with `lo` up. */
export function createNetns(): TestNetns {
  const name = `bpfscope-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const exec = ['ip', 'netns', 'exec', name];
  const run = (cmd: string, ...args: string[]): string => execFileSync(exec[0]!, [...exec.slice(1), cmd, ...args], { encoding: 'utf8' });
  run('ip', 'link', 'set', 'lo', 'up');
  return {
    name,
    inode: statSync(`/run/netns/${name}`).ino,
    exec,
    run,
    remove: () => execFileSync('ip', ['netns', 'delete', name]),
  };
}
