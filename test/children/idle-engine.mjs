// A process that embeds an engine and then leaves it idle: started with the
// families given in argv (cpu,mem,proc,syscall), one collect, then "ready" on
// stdout. On a stdin line "collect" it collects once and answers "collected";
// on "close" it closes the engine and exits. The "ready" line carries, as JSON, what
// engine.stats().running lists. Nothing else runs in it, so every
// system call it makes while idle is the engine's (or Node's own).
// Imports the built packages (dist), as an application would.
import { createInterface } from 'node:readline';
import { createEngine } from '@bpfscope/core';

const families = (process.argv[2] ?? '').split(',').filter(Boolean);
const plugins = [];
for (const family of families) {
  const mod = await import(`@bpfscope/plugin-${family}`);
  plugins.push(mod[family]());
}
const engine = createEngine({ plugins, config: { mode: 'ebpf', cache: { enabled: false } } });
await engine.start();
const first = await engine.collect();
if (first.errors.length > 0) {
  process.stderr.write(first.errors.map((e) => `${e.family}: ${e.error.message}`).join('\n') + '\n');
  process.exit(2);
}
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  if (line === 'collect') {
    await engine.collect();
    process.stdout.write('collected\n');
  } else if (line === 'close') {
    await engine.close();
    process.exit(0);
  }
});
process.stdout.write(`ready ${JSON.stringify(engine.stats().running)}\n`);
