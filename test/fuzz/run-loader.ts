// The parent side of the object-loader fuzz: mutates the committed objects and sends
// each case to a child process (loader-child.mjs) that loads it. A case fails when a
// stage throws something outside the taxonomy, the child dies (a crash in libbpf or
// the addon: signal or exit code), or no answer comes within the per-case limit (a hang).
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { saveFailure, type FuzzFailure } from './failures.js';
import { fixtureFiles } from './fixture-files.js';
import { mutateObject, objectSeed, type ObjectSeed } from './mutate-object.js';
import { Prng } from './prng.js';

const REPO = new URL('../..', import.meta.url).pathname;
const CHILD = join(REPO, 'test', 'fuzz', 'loader-child.mjs');

/** Every committed object: the plugins' and the native package's (its own and its test fixtures). */
export function committedObjects(): ObjectSeed[] {
  if (!existsSync(join(REPO, 'packages', 'native', 'dist', 'index.js'))) throw new Error('the loader fuzz child uses the built packages: run npm run build first');
  return fixtureFiles(REPO, ['packages/*/bpf/*.bpf.o', 'packages/native/test/fixtures/*.bpf.o']).map((f) => objectSeed(basename(f), new Uint8Array(readFileSync(f))));
}

/** Per stage (open, layouts, load): how many cases ended valid or in each error code. */
export type LoaderCounts = Record<string, Record<string, number>>;

type Answer = { stages: Record<string, string> } | { died: string };

class Child {
  #proc: ChildProcess;
  #stderr = '';
  #ready: Promise<void>;
  #pending: ((a: Answer) => void) | undefined;

  constructor(env: Readonly<Record<string, string>>) {
    this.#proc = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: REPO, env: { ...process.env, ...env } });
    this.#proc.stderr?.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
    });
    this.#ready = new Promise((resolve, reject) => {
      this.#proc.once('message', () => resolve());
      this.#proc.once('exit', (code, signal) => reject(new Error(`the loader fuzz child exited before it was ready (${signal ?? code}): ${this.#stderr}`)));
    });
    this.#proc.on('message', (m: { index?: number; stages?: Record<string, string>; uncaught?: string }) => {
      if (m.uncaught !== undefined) this.#answer({ died: m.uncaught });
      else if (m.stages !== undefined) this.#answer({ stages: m.stages });
    });
    this.#proc.on('exit', (code, signal) => this.#answer({ died: `the child died (${signal ?? `exit code ${code}`}); its stderr ends: ${this.#stderr.slice(-1500)}` }));
  }

  #answer(a: Answer): void {
    const p = this.#pending;
    this.#pending = undefined;
    p?.(a);
  }

  /** Sends a case; resolves with the child's answer, its death, or a hang after `timeoutMs`. */
  async run(index: number, bytes: Uint8Array, timeoutMs: number): Promise<Answer> {
    await this.#ready;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        this.kill();
        resolve({ died: `hang: no answer in ${timeoutMs} ms` });
      }, timeoutMs);
      this.#pending = (a) => {
        clearTimeout(timer);
        resolve(a);
      };
      this.#proc.send({ index, bytes: Buffer.from(bytes).toString('base64') });
    });
  }

  kill(): void {
    this.#proc.removeAllListeners('exit');
    this.#proc.kill('SIGKILL');
  }
}

/** Options of {@link runLoaderFuzz}. */
export interface LoaderFuzzOptions {
  seed: number;
  cases: number;
  /** Index of the first case. @default 0 */
  first?: number;
  /** A case with no answer by then is a hang. */
  timeoutMs: number;
  /** Called after each case, e.g. for progress. */
  onCase?: (index: number) => void;
  /** Names the saved failures. @default 'loader' */
  label?: string;
  /** Extra environment of the child (the harness test injects faults with it). */
  childEnv?: Readonly<Record<string, string>>;
}

/**
 * Runs the cases in one child, replaced whenever a case kills or hangs it.
 * @returns counts per stage and the failures (each input saved)
 */
export async function runLoaderFuzz(options: LoaderFuzzOptions): Promise<{ counts: LoaderCounts; failures: FuzzFailure[] }> {
  const objects = committedObjects();
  const counts: LoaderCounts = {};
  const failures: FuzzFailure[] = [];
  const env = options.childEnv ?? {};
  let child = new Child(env);
  try {
    const first = options.first ?? 0;
    for (let index = first; index < first + options.cases; index++) {
      const rng = Prng.forCase(options.seed, index);
      const seed = objects[index % objects.length]!;
      const { bytes, steps } = mutateObject(rng, seed, objects.filter((o) => o !== seed));
      const answer = await child.run(index, bytes, options.timeoutMs);
      const fail = (why: string): void => void failures.push(saveFailure({ target: options.label ?? 'loader', seed: options.seed, index, why, steps }, bytes, 'bpf.o'));
      if ('died' in answer) {
        fail(answer.died);
        child.kill();
        child = new Child(env);
      } else {
        for (const [stage, outcome] of Object.entries(answer.stages)) {
          if (outcome.startsWith('bad:')) fail(`${stage}: ${outcome.slice(4)}`);
          const c = (counts[stage] ??= {});
          const key = outcome.startsWith('bad:') ? 'bad' : outcome;
          c[key] = (c[key] ?? 0) + 1;
        }
      }
      options.onCase?.(index);
    }
  } finally {
    child.kill();
  }
  return { counts, failures };
}
