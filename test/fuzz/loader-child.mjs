// The child process of the object-loader fuzz test (run-loader.ts): it loads each
// mutated object it is sent through the engine's path (@bpfscope/native's
// NativeObjectLoader, built dist) and answers how the case ended. A crash of libbpf
// kills only this process; the parent sees the signal and keeps the input.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBpfscopeError } from '@bpfscope/core';
import { BpfObject, NativeObjectLoader, readStructLayouts } from '@bpfscope/native';

const loader = new NativeObjectLoader();
// The loader reads a path, as the engine's plugins give it one: each case is written here first.
const workDir = join(new URL('../..', import.meta.url).pathname, '.tmp', 'fuzz-work');
mkdirSync(workDir, { recursive: true });
const path = join(workDir, `loader-${process.pid}.bpf.o`);

/** Runs one stage; its outcome as `typed:<code>`, `valid` or `bad:<why>`. */
async function stage(run) {
  try {
    await run();
    return 'valid';
  } catch (e) {
    if (isBpfscopeError(e)) return `typed:${e.code}`;
    return `bad:threw a non-taxonomy ${e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack}` : String(e)}`;
  }
}

function touchLayouts(layouts) {
  // The map is lazy: reading every entry computes every layout.
  for (const [name, layout] of layouts) if (typeof name !== 'string' || layout === undefined) throw new Error(`bad layout entry ${name}`);
}

async function runCase(path, bytes) {
  const stages = {};
  // What the TypeScript side reads of the object before libbpf loads it: the ELF check,
  // libbpf's open, the finalized BTF (constants) and the file's own BTF (struct layouts).
  stages.open = await stage(() => {
    const obj = BpfObject.open(bytes, { name: 'fuzz' });
    try {
      obj.constants();
      obj.programs();
      obj.maps();
    } finally {
      obj.close();
    }
  });
  stages.layouts = await stage(() => touchLayouts(readStructLayouts(bytes, 'fuzz')));
  // The engine's path: NativeObjectLoader.load, then what a source asks of the handle.
  stages.load = await stage(async () => {
    const handle = await loader.load({ path, shared: false });
    try {
      touchLayouts(handle.structLayouts());
      handle.object.constants();
      handle.object.maps();
    } finally {
      handle.close();
    }
  });
  return stages;
}

process.on('uncaughtException', (e) => {
  process.send?.({ uncaught: `uncaught exception: ${e?.stack ?? e}` });
  process.exit(70);
});
process.on('unhandledRejection', (e) => {
  process.send?.({ uncaught: `unhandled rejection: ${e?.stack ?? e}` });
  process.exit(70);
});

// For the harness's own test: FUZZ_CHILD_FAULT=crash:<i>, hang:<i> or throw:<i> makes case i
// die of SIGSEGV, never answer, or throw a TypeError, so the test sees each one caught.
const [fault, faultAt] = (process.env.FUZZ_CHILD_FAULT ?? '').split(':');

process.on('message', async ({ index, bytes }) => {
  const image = new Uint8Array(Buffer.from(bytes, 'base64'));
  writeFileSync(path, image);
  if (String(index) === faultAt && fault === 'crash') process.kill(process.pid, 'SIGSEGV');
  if (String(index) === faultAt && fault === 'hang') return;
  const stages = await runCase(path, image);
  if (String(index) === faultAt && fault === 'throw') stages.load = await stage(() => Promise.reject(new TypeError('injected')));
  process.send({ index, stages });
});
process.send({ ready: true });
