// Run by net-read.mjs inside a network namespace of its own (unshare --net), as root:
// starts a holder of ROWS TCP sockets (ROWS/2 loopback connections, both ends held by
// one python3 process), then times, interleaved in rotating order each round, a read of
// the net family in eBPF mode, the same in fallback mode, systeminformation's
// networkConnections(), the reference parse of /proc/net/tcp{,6} with inode → pid, the
// family's iter/tcp program read alone, and an iter/tcp program that writes nothing (the
// kernel's walk alone). Prints one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createEngine } from '@bpfscope/core';
import { BpfObject } from '@bpfscope/native';
import { net } from '@bpfscope/plugin-net';
import si from 'systeminformation';
import { buildBpf } from './c-build.mjs';
import { childCpuMs } from './measure.mjs';
import { referenceConnections } from './net-read-reference.mjs';

const [rows, rounds] = process.argv.slice(2).map(Number);

const HOLD = String.raw`
import resource, socket, sys
rows = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < rows + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (rows + 64, max(rows + 64, hard)))
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(4096)
held = []
for _ in range(rows // 2):
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); held += [c, s]
print('ready', l.getsockname()[1], flush=True)
sys.stdin.read()
`;

async function startHolder() {
  const child = spawn('python3', ['-c', HOLD, String(rows)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await Promise.race([lines.next(), once(child, 'exit').then(([code]) => ({ value: `exited ${code}` }))]);
  const m = /^ready (\d+)$/.exec(first.value ?? '');
  if (m === null) throw new Error(`the socket holder did not start: ${first.value}`);
  return { pid: child.pid, port: Number(m[1]), stop: () => child.stdin.end() };
}

async function familyEngine(mode) {
  const engine = createEngine({ plugins: [net({ maxConnections: 10_000_000 })], config: { mode, cache: { enabled: false }, logLevel: 'silent', operationTimeoutMs: 120_000 } });
  await engine.start();
  return engine;
}

async function collectNet(engine, source) {
  const snap = await engine.collect();
  const f = snap.get('net');
  if (!f || f.source !== source) throw new Error(`net family not from ${source}: ${snap.errors.map((e) => e.error.message).join('; ')}`);
  return f.data;
}

execFileSync('ip', ['link', 'set', 'lo', 'up']);
const holder = await startHolder();
const floor = buildBpf('net_iter_floor');
const floorObj = BpfObject.open(floor.path);
// The family's own iter/tcp program in a copy of its object (loaded, nothing attached): its
// read without the decode, between the floor and the family's read.
const iterObj = BpfObject.open(new URL('../../packages/plugin-net/bpf/net.bpf.o', import.meta.url).pathname);
const engines = {};
try {
  await floorObj.load();
  await iterObj.load();
  engines.ebpf = await familyEngine('ebpf');
  engines.fallback = await familyEngine('fallback');
  const phases = () => engines.ebpf.stats().collectors.find((c) => c.family === 'net')?.sourceStats?.counters ?? {};
  // Each method returns the TCP sockets of the holder it saw (pid and both ports checked).
  const mine = (list) => list.filter((c) => (c.protocol ?? 'tcp') === 'tcp' && c.pid === holder.pid && (c.localPort === holder.port || c.remotePort === holder.port)).length;
  const methods = {
    ebpf: async () => mine((await collectNet(engines.ebpf, 'ebpf')).connections),
    fallback: async () => mine((await collectNet(engines.fallback, 'procfs')).connections),
    si: async () => mine((await si.networkConnections()).map((c) => ({ protocol: c.protocol.startsWith('tcp') ? 'tcp' : c.protocol, pid: c.pid, localPort: Number(c.localPort), remotePort: Number(c.peerPort) }))),
    reference: async () => mine(referenceConnections()),
    iter: async () => (await iterObj.readIterator('net_iter_tcp')).length,
    floor: async () => (await floorObj.readIterator('floor_tcp')).length,
  };
  const names = Object.keys(methods);
  const ms = Object.fromEntries(names.map((n) => [n, []]));
  // CPU time of this process (all its threads, kernel time included) and of the children it waited for (netstat).
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  const seen = Object.fromEntries(names.map((n) => [n, []]));
  const ebpfPhases = [];
  for (let r = -1; r < rounds; r++) {
    // Round -1 warms every method up (JIT, page cache, the engines' first read) untimed.
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + Math.max(r, 0)) % names.length];
      const c0 = process.cpuUsage();
      const k0 = childCpuMs();
      const t0 = performance.now();
      const n = await methods[name]();
      const t = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r < 0) continue;
      ms[name].push(t);
      cpu[name].push((c.user + c.system) / 1000 + childCpuMs() - k0);
      seen[name].push(n);
      if (name === 'ebpf') ebpfPhases.push(phases());
    }
  }
  const sockets = Number(execFileSync('sh', ['-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -c :']).toString().trim());
  console.log(JSON.stringify({ rows, rounds, holder: holder.pid, sockets, ms, cpu, seen, ebpfPhases }));
} finally {
  for (const e of Object.values(engines)) await e.close();
  floorObj.close();
  iterObj.close();
  floor.cleanup();
  holder.stop();
}
