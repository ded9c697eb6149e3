// A process whose engine drops its privileges (config dropPrivileges) after start, then
// measures its own workload: argv = workload binary, N. The workload waits for a byte on
// stdin, makes N getppid calls and exits. Prints one JSON line (what it saw) and waits for a
// stdin line "close"; meanwhile the test reads this process's /proc/<pid>/task/*/status.
// Imports the built packages (dist), as an application would.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createEngine } from '@bpfscope/core';
import { syscall, syscallNumber } from '@bpfscope/plugin-syscall';
import { cpu } from '@bpfscope/plugin-cpu';

const [workload, n] = process.argv.slice(2);
const capEff = () => /^CapEff:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1];
const before = capEff();
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const engine = createEngine({
  plugins: [syscall({ processes: true, pids: [], mode: 'counts' })],
  config: { mode: 'ebpf', dropPrivileges: true, cache: { enabled: false } },
  logger: silent,
});
await engine.start();
const report = engine.privileges();

// The own workload, measured from the fds held after the drop (the filter is a map write).
const w = spawn(workload, [n], { stdio: ['pipe', 'ignore', 'inherit'] });
await new Promise((resolve) => w.once('spawn', resolve));
await engine.setFilter('syscall', { pids: [w.pid] });
const exited = new Promise((resolve) => w.once('exit', resolve));
w.stdin.end('g');
const code = await exited;
const snap = await engine.collect();
const data = snap.get('syscall')?.data;
const getppid = data?.processes.find((p) => p.pid === w.pid)?.bySyscall?.find((s) => s.id === syscallNumber('getppid'))?.count ?? null;

// What can no longer work says so: a family started after the drop.
const later = createEngine({ plugins: [cpu()], config: { mode: 'ebpf' }, logger: silent });
const refused = await later.start().then(
  () => null,
  (e) => ({ code: e.code, privilegesDropped: e.details?.privilegesDropped ?? false, remedy: e.remedy }),
);
await later.close();

process.stdout.write(`${JSON.stringify({ before, after: capEff(), report, code, getppid, errors: snap.errors.map((e) => e.error.message), refused })}\n`);
createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line !== 'close') return;
  await engine.close();
  process.exit(0);
});
