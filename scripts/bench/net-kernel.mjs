// Net family, kernel side: the slowdown of a loopback TCP stream and of a loopback UDP
// send/receive loop with the family attached vs bare (paired rounds, order alternating),
// and the kernel ns per run of each program from the run statistics while the same
// workloads (plus a connect/accept/close churn) run.
import { execFileSync } from 'node:child_process';
import { createEngine } from '@bpfscope/core';
import { net } from '@bpfscope/plugin-net';
import { median, quartiles } from './measure.mjs';

const ROUNDS = 9;
const CHUNKS = 40_000; // 16 KiB sends: 625 MiB per TCP run
const DATAGRAMS = 100_000;
const CONNECTIONS = 3_000;

// Each prints its own ns per operation, timed inside the process (perf_counter_ns).
const TCP = String.raw`
import socket, threading, sys, time
n = int(sys.argv[1])
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
def sink():
    s, _ = l.accept()
    while s.recv(1 << 20): pass
t = threading.Thread(target=sink); t.start()
c = socket.create_connection(l.getsockname())
buf = b'x' * 16384
t0 = time.perf_counter_ns()
for _ in range(n): c.sendall(buf)
c.close(); t.join()
print((time.perf_counter_ns() - t0) / n)
`;
const UDP = String.raw`
import socket, sys, time
n = int(sys.argv[1])
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.setsockopt(socket.SOL_SOCKET, 33, 64 << 20); r.bind(('127.0.0.1', 0))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(r.getsockname())
t0 = time.perf_counter_ns()
for _ in range(n):
    u.send(b'y' * 100); r.recv(2048)
print((time.perf_counter_ns() - t0) / n)
`;
const CHURN = String.raw`
import socket, sys
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(128)
for _ in range(int(sys.argv[1])):
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); c.close(); s.close()
`;

const run = (script, n) => Number(execFileSync('python3', ['-c', script, String(n)], { encoding: 'utf8' }).trim());

async function attachFamily(programStats = false) {
  const engine = createEngine({ plugins: [net()], config: { mode: 'ebpf', cache: { enabled: false }, programStats, logLevel: 'silent' } });
  await engine.start();
  return engine;
}

async function paired(script, n) {
  const bare = [];
  const attached = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    let b;
    if (r % 2 === 0) b = run(script, n);
    const engine = await attachFamily();
    let a;
    try {
      a = run(script, n);
    } finally {
      await engine.close();
    }
    if (r % 2 === 1) b = run(script, n);
    bare.push(b);
    attached.push(a);
    ratios.push(a / b);
  }
  return { bare: median(bare), attached: median(attached), slowdown: quartiles(ratios) };
}

export async function benchNetKernel() {
  const tcp = await paired(TCP, CHUNKS);
  const udp = await paired(UDP, DATAGRAMS);
  const engine = await attachFamily(true);
  let programs;
  try {
    run(TCP, CHUNKS);
    run(UDP, DATAGRAMS);
    run(CHURN, CONNECTIONS);
    await engine.collect();
    programs = (engine.stats().collectors.find((c) => c.family === 'net')?.sourceStats?.programs ?? []).filter((p) => p.runs > 0);
  } finally {
    await engine.close();
  }
  return { tcp, udp, programs };
}

export function reportNetKernel(r) {
  const x = (v) => `${v.toFixed(3)}x`;
  const row = (label, v, unit) => `  ${label.padEnd(40)} ${v.bare.toFixed(0).padStart(8)} ${v.attached.toFixed(0).padStart(8)}   ${x(v.slowdown.median)} [${x(v.slowdown.q1)}–${x(v.slowdown.q3)}]  (${unit})`;
  return [
    `net family, kernel side: ${ROUNDS} pairs of a bare and an attached run each, order alternating`,
    `  ${''.padEnd(40)} ${'bare'.padStart(8)} ${'attached'.padStart(8)}   slowdown per pair: median [quartiles]`,
    row(`TCP stream, ${CHUNKS.toLocaleString()} sends of 16 KiB`, r.tcp, 'ns per send, medians'),
    row(`UDP, ${DATAGRAMS.toLocaleString()} sends + receives of 100 B`, r.udp, 'ns per pair, medians'),
    `  target: TCP stream slowdown <= 1.05x, median of pairs: ${x(r.tcp.slowdown.median)} -> ${r.tcp.slowdown.median <= 1.05 ? 'met' : 'NOT met'}`,
    `  kernel ns per run (run statistics over the TCP stream, the UDP loop and ${CONNECTIONS.toLocaleString()} connect/accept/close):`,
    ...r.programs.map((p) => `    ${p.program.padEnd(14)} ${String(p.runs).padStart(9)} runs  ${p.nsPerRun} ns/run`),
  ].join('\n');
}
