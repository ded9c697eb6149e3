// A worker thread with an engine of its own over the syscall family (the built packages,
// as an application would load them). Messages from the parent: { pid } sets the
// engine's filter to that process and answers "filtered"; "read" collects once and
// answers { source, total: getppid calls, counts: [[pid, getppid calls], ...] } or { error }; "close" closes the
// engine and answers "closed". It answers "ready" once started.
import { parentPort } from 'node:worker_threads';
import { createEngine } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';

const GETPPID = 110; // x86_64
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const engine = createEngine({ plugins: [syscall({ processes: true, mode: 'latency', pids: [] })], config: { mode: 'ebpf', cache: { enabled: false } }, logger: silent });
await engine.start();
parentPort.on('message', async (m) => {
  try {
    if (m === 'read') {
      const snap = await engine.collect();
      const r = snap.get('syscall');
      if (!r) throw new Error(snap.errors.map((e) => e.error.message).join('; '));
      const total = r.data.syscalls.find((s) => s.id === GETPPID)?.count ?? 0;
      parentPort.postMessage({ source: r.source, total, counts: r.data.processes.map((p) => [p.pid, p.bySyscall?.find((s) => s.id === GETPPID)?.count ?? 0]) });
    } else if (m === 'close') {
      await engine.close();
      parentPort.postMessage('closed');
    } else {
      await engine.setFilter('syscall', { pids: [m.pid] });
      parentPort.postMessage('filtered');
    }
  } catch (e) {
    parentPort.postMessage({ error: String(e) });
  }
});
parentPort.postMessage('ready');
