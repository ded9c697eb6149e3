// The workload of the ring buffer tests and their helpers: a tiny C program (children/syscall-loop.c),
// compiled once per test process with gcc into a temp dir, that makes exactly N
// getppid calls numbered 0..N-1 once told to go.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, type RingBatch, type RingBufferConsumer } from '../src/index.js';
import { fixture } from './helpers.js';

let built: { dir: string; binary: string } | undefined;

/** Compiles the workload (once); remove it with {@link removeSyscallLoop}. */
export function syscallLoopBinary(): string {
  if (!built) {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-test-rb-'));
    const binary = join(dir, 'syscall-loop');
    execFileSync('gcc', ['-O2', '-o', binary, fileURLToPath(new URL('./children/syscall-loop.c', import.meta.url))]);
    built = { dir, binary };
  }
  return built.binary;
}

export function removeSyscallLoop(): void {
  if (built) rmSync(built.dir, { recursive: true, force: true });
  built = undefined;
}

/** A started workload, waiting for {@link SyscallChild.run}. */
export class SyscallChild {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    /** Its pid (= tgid). */
    readonly pid: number,
    /** SYS_getppid on this machine. */
    readonly syscallNr: number,
    private readonly exited: Promise<number | null>,
  ) {}

  /** Starts `calls` getppid calls' worth of workload and waits until it is ready. */
  static async start(calls: number): Promise<SyscallChild> {
    const child = spawn(syscallLoopBinary(), [String(calls)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      exited.then((code) => reject(new Error(`syscall-loop exited (${code}) before it was ready`)), reject);
    });
    const [word, pid, nr] = line.split(' ');
    if (word !== 'ready') throw new Error(`syscall-loop said ${JSON.stringify(line)}`);
    return new SyscallChild(child, Number(pid), Number(nr), exited);
  }

  /** Lets it make its calls and waits for it to exit 0. */
  async run(): Promise<void> {
    this.child.stdin.end('go\n');
    const code = await this.exited;
    if (code !== 0) throw new Error(`syscall-loop exited with ${code}`);
  }

  /** Kills it (when a test failed before run). */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** enum rb_target of bpf/test/ringbuf.h. */
export const RbTarget = { EVENTS: 1, SECOND: 2, SMALL: 4 } as const;

/** Points ringbuf.bpf.o at a process and syscall: writes struct rb_config into rb_filter[0]. */
export function setRbFilter(obj: BpfObject, tgid: number, syscallNr: number, targets: number): void {
  const cfg = new Uint8Array(16);
  const view = new DataView(cfg.buffer);
  view.setUint32(0, tgid, true);
  view.setUint32(4, syscallNr, true);
  view.setUint32(8, targets, true);
  obj.map('rb_filter').update(new Uint8Array(4), cfg);
}

/** struct rb_event of bpf/test/ringbuf.h. */
export function decodeRbEvent(data: Uint8Array): { seq: number; tgid: number; tag: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { seq: Number(view.getBigUint64(0, true)), tgid: view.getUint32(8, true), tag: view.getUint32(12, true) };
}

/** Records one consumer received, decoded, and a way to wait for a count. */
export function collect(consumer: RingBufferConsumer): {
  records: { map: string; seq: number; tgid: number; tag: number; size: number }[];
  batchSizes: number[];
  waitFor(n: number): Promise<void>;
} {
  const records: { map: string; seq: number; tgid: number; tag: number; size: number }[] = [];
  const batchSizes: number[] = [];
  let wanted: { n: number; resolve: () => void } | undefined;
  consumer.onBatch((batch: RingBatch) => {
    batchSizes.push(batch.length);
    for (const { map, data } of batch) records.push({ map, size: data.length, ...decodeRbEvent(data) });
    if (wanted && records.length >= wanted.n) wanted.resolve();
  });
  return {
    records,
    batchSizes,
    waitFor: (n) => (records.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (wanted = { n, resolve }))),
  };
}

export async function openRingbufObject(): Promise<BpfObject> {
  const obj = BpfObject.open(fixture('ringbuf.bpf.o'));
  await obj.load();
  obj.attach('rb_sys_enter');
  return obj;
}
