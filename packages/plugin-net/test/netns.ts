// A network namespace of a test's own, so that loopback traffic there is the test's only:
// created with iproute2, its `lo` brought up, removed in afterAll; with workload processes
// of known names inside it and, on request, its own sysfs mounted.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORKLOAD = fileURLToPath(new URL('./net-workload.mjs', import.meta.url));

/** A namespace made by {@link createNetns}. */
export interface TestNetns {
  /** Its name under /run/netns. */
  readonly name: string;
  /** Its inode number (what /proc/<pid>/ns/net, the kernel filter and `netNamespace` fields hold). */
  readonly inode: number;
  /** The command prefix that runs a program inside it. */
  readonly exec: string[];
  /** Run a command inside it and return its stdout. */
  run(cmd: string, ...args: string[]): string;
  /** Mount its sysfs (a sysfs mount shows the interfaces of the namespace that mounted it) and return the directory. */
  mountSysfs(): string;
  /** Start a workload process inside it whose command name (comm) is `comm`. */
  workload(comm: string): Promise<Workload>;
  /** Stop its workloads, unmount its sysfs and delete it. */
  remove(): void;
}

/** A workload process (test/net-workload.mjs) inside a namespace. */
export interface Workload {
  pid: number;
  /** Send one command and wait for its answer. */
  request<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T>;
}

/** Make a namespace with its loopback up. */
export function createNetns(): TestNetns {
  const name = `bpfscope-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const exec = ['ip', 'netns', 'exec', name];
  const run = (cmd: string, ...args: string[]): string => execFileSync(exec[0]!, [...exec.slice(1), cmd, ...args], { encoding: 'utf8' });
  run('ip', 'link', 'set', 'lo', 'up');
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-netns-'));
  const children: ChildProcess[] = [];
  let sysfs: string | null = null;
  return {
    name,
    inode: statSync(`/run/netns/${name}`).ino,
    exec,
    run,
    mountSysfs() {
      sysfs = join(dir, 'sys');
      mkdirSync(sysfs);
      // nsenter enters only the network namespace: the mount lands in this process's mount namespace.
      execFileSync('nsenter', [`--net=/run/netns/${name}`, 'mount', '-t', 'sysfs', 'none', sysfs]);
      return sysfs;
    },
    async workload(comm) {
      const exe = join(dir, comm);
      symlinkSync(process.execPath, exe); // the kernel names the process after the file it ran
      const child = spawn(exec[0]!, [...exec.slice(1), exe, WORKLOAD], { stdio: ['pipe', 'pipe', 'inherit'] });
      children.push(child);
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const next = async (): Promise<Record<string, unknown>> => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
      const hello = await next();
      return {
        pid: hello.pid as number,
        async request<T>(cmd: Record<string, unknown>): Promise<T> {
          child.stdin!.write(`${JSON.stringify(cmd)}\n`);
          const r = await next();
          if (r.ok !== true) throw new Error(`workload ${comm}: ${String(r.error)}`);
          return r as T;
        },
      };
    },
    remove() {
      for (const c of children) c.kill('SIGKILL');
      if (sysfs !== null) execFileSync('umount', [sysfs]);
      execFileSync('ip', ['netns', 'del', name]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
