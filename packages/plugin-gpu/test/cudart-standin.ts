// The stand-in CUDA runtime (stand-ins/cudart-standin.c) and a caller linked against it
// (stand-ins/cudart-caller.c), compiled by the test into a temporary directory.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = (name: string): string => fileURLToPath(new URL(`./stand-ins/${name}`, import.meta.url));

/** The compiled stand-in; `remove()` deletes the directory. */
export interface CudartStandIn {
  /** The directory holding both files. */
  dir: string;
  /** Absolute path of the stand-in `libcudart.so.12` (its soname too). */
  library: string;
  /** Absolute path of the caller (comm `cudart-caller`). */
  caller: string;
  remove(): void;
}

/** Compile the stand-in runtime and its caller (gcc, as the native package's uprobe tests do). */
export function buildCudartStandIn(): CudartStandIn {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-cudart-'));
  const library = join(dir, 'libcudart.so.12');
  const caller = join(dir, 'cudart-caller');
  // -fno-ipa-icf: two functions with the same body must not become one.
  execFileSync('gcc', ['-O1', '-fno-ipa-icf', '-Wall', '-Werror', '-shared', '-fPIC', '-Wl,-soname,libcudart.so.12', '-o', library, source('cudart-standin.c')]);
  execFileSync('gcc', ['-O1', '-Wall', '-Werror', '-o', caller, source('cudart-caller.c'), `-L${dir}`, '-l:libcudart.so.12', `-Wl,-rpath,${dir}`]);
  return { dir, library, caller, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A stand-in runtime without cudaMemcpy, in a directory of its own.
 * @returns its path and a function that removes it
 */
export function buildRuntimeWithoutMemcpy(): { library: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-cudart-'));
  const library = join(dir, 'libcudart.so.12');
  execFileSync('gcc', ['-O1', '-fno-ipa-icf', '-DSTANDIN_NO_MEMCPY', '-shared', '-fPIC', '-o', library, source('cudart-standin.c')]);
  return { library, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a caller is told to do (see cudart-caller.c). */
export interface CudaCalls {
  launches: number;
  allocs: number;
  allocSize: number;
  failedAllocs: number;
  frees: number;
  copySize: number;
  /** cudaMemcpy calls per cudaMemcpyKind 0..4 (HostToHost, HostToDevice, DeviceToHost, DeviceToDevice, Default). */
  copiesByKind: [number, number, number, number, number];
  /** cudaMemcpy calls with kind 9, which the runtime refuses. */
  badKindCopies: number;
}

/** A started caller, waiting at its handshake. */
export interface StartedCaller {
  pid: number;
  /** Let it make its calls; resolves, once it exited 0 having seen every return value it expected, with the ns its calls took. */
  go(): Promise<number>;
  /** Let it make its calls and stay alive; resolves once it printed that it is done. */
  callAndStay(): Promise<void>;
  /** Let a caller that stayed exit; resolves once it exited 0. */
  exit(): Promise<void>;
}

/** Start a caller and resolve once it printed "ready" (so its pid is known before any call). */
export function startCaller(standIn: CudartStandIn, c: CudaCalls): Promise<StartedCaller> {
  const args = [c.launches, c.allocs, c.allocSize, c.failedAllocs, c.frees, c.copySize, ...c.copiesByKind, c.badKindCopies].map(String);
  const child = spawn(standIn.caller, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    void exited.then((code) => {
      if (!out.includes('ready\n')) reject(new Error(`caller exited ${code} before it was ready: ${JSON.stringify(out)}`));
    });
    child.stdout.on('data', (d: Buffer) => {
      const wasReady = out.includes('ready\n');
      out += d.toString();
      if (wasReady || !out.includes('ready\n')) return;
      const finished = async (): Promise<number> => {
        const code = await exited;
        const ns = /^done (\d+)$/m.exec(out)?.[1];
        if (code !== 0 || ns === undefined) throw new Error(`caller exited ${code} with output ${JSON.stringify(out)}`);
        return Number(ns);
      };
      resolve({
        pid: child.pid ?? -1,
        go: () => {
          child.stdin.end('go\n');
          return finished();
        },
        callAndStay: () =>
          new Promise<void>((done, fail) => {
            const check = (): void => {
              if (/^done \d+$/m.test(out)) done();
              else if (out.includes('unexpected')) fail(new Error(`caller: ${out}`));
              else setTimeout(check, 10);
            };
            child.stdin.write('go\n');
            check();
          }),
        exit: async () => {
          child.stdin.end();
          await finished();
        },
      });
    });
  });
}
