// The soak's workload, in a child process of its own so that its memory and fds are not the
// soak's: every `periodMs` it runs /bin/true (proc fork/exec/exit events), opens a TCP
// connection to its own listener on 127.0.0.1 and closes it (net connect/accept/close
// events), and writes and reads a file in the watched directory given as argv[2] (fs
// opens of a watched path). It runs until its stdin ends or it is killed.
import { spawn } from 'node:child_process';
import { openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

const [dir, periodArg] = process.argv.slice(2);
const periodMs = Number(periodArg ?? 20);
const server = createServer((s) => s.on('error', () => {}).end());
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const file = join(dir, 'soak-workload.txt');
let rounds = 0;
let stop = false;
process.stdin.on('end', () => { stop = true; });
process.stdin.resume();
process.stdout.write('ready\n');

while (!stop) {
  await new Promise((resolve) => spawn('/bin/true', { stdio: 'ignore' }).on('close', resolve).on('error', resolve));
  await new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.on('error', resolve).on('close', resolve);
    c.on('connect', () => c.end());
  });
  const fd = openSync(file, 'w');
  writeSync(fd, `round ${rounds}\n`);
  closeSync(fd);
  readFileSync(file);
  rounds++;
  await new Promise((resolve) => setTimeout(resolve, periodMs));
}
server.close();
process.stdout.write(`${JSON.stringify({ rounds })}\n`);
