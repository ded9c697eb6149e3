// Aggressive caching: the cost of a syscall family reading answered by the change-counter
// cache vs one decoded, in the same run. Two engines (sharing the loaded object) count the
// same processes: a shell filtered by pid that ran `ls` and `cat` (children followed at
// fork) and then became an idle `sleep`. One engine has aggressive caching on, the other
// decodes every reading; calls alternate between them so that load falls on both alike.
// The counter is the slot's filter hits (one lookup) in counts-only mode, and in latency mode
// while no call is in flight (the child stopped); else the sum of the slot's sc_counts (one
// copy of the map): the sleep in flight in latency mode.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createEngine } from '@bpfscope/core';
import { syscall } from '@bpfscope/plugin-syscall';
import { fmt } from './measure.mjs';

const CLOCK_NANOSLEEP = 230;

async function idleSleep(pid) {
  for (;;) {
    let comm = '';
    let call = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      call = readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0];
    } catch {
      throw new Error('bench cache: the workload shell exited');
    }
    if (comm === 'sleep' && Number(call) === CLOCK_NANOSLEEP) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const stat = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { mean: xs.reduce((s, x) => s + x, 0) / xs.length, median: sorted[Math.floor(sorted.length / 2)] };
};

export async function benchCache({ calls = 300, warmup = 5 } = {}) {
  const out = [];
  for (const [mode, stop] of [['latency', false], ['latency', true], ['counts', false]]) out.push(await benchMode(mode, stop, calls, warmup));
  return out;
}

async function benchMode(mode, stop, calls, warmup) {
  const child = spawn('sh', ['-c', 'read x; ls -la /usr/bin >/dev/null; cat /etc/passwd >/dev/null; exec sleep 100000'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const engines = {};
  try {
    for (const [name, aggressive] of [['decoded', false], ['cached', true]]) {
      const engine = createEngine({ plugins: [syscall({ pids: [child.pid], mode })], config: { mode: 'ebpf', cache: { ttlMs: 0, aggressive }, logLevel: 'silent' } });
      await engine.start();
      engines[name] = engine;
    }
    child.stdin.write('go\n');
    await idleSleep(child.pid);
    if (stop) {
      // SIGSTOP ends the sleep in flight (to be restarted): no call of the child is in flight.
      process.kill(child.pid, 'SIGSTOP');
      while (readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'T') await new Promise((r) => setTimeout(r, 5));
    }
    const samples = { decoded: { wall: [], cpu: [] }, cached: { wall: [], cpu: [] } };
    const last = {};
    for (let i = 0; i < warmup + calls; i++) {
      for (const name of ['decoded', 'cached']) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const snap = await engines[name].collect();
        const wall = Number(process.hrtime.bigint() - t0) / 1e6;
        const c = process.cpuUsage(c0);
        last[name] = snap.get('syscall');
        if (!last[name]) throw new Error(`bench cache: no syscall family: ${snap.errors.map((e) => e.error.message).join('; ')}`);
        if (i < warmup) continue;
        samples[name].wall.push(wall);
        samples[name].cpu.push((c.user + c.system) / 1000);
      }
    }
    const cache = engines.cached.stats().collectors[0].cache;
    // Both engines count the same calls: the cached reading must show what the decoded one does.
    if (JSON.stringify(last.cached.data.syscalls) !== JSON.stringify(last.decoded.data.syscalls)) throw new Error('bench cache: the cached reading differs from the decoded one');
    const out = {
      mode,
      stop,
      counter: ((BigInt(last.cached.cached?.changeCounter ?? 0) >> 127n) & 1n) === 1n ? 'filter hits' : 'sc_counts sum',
      calls,
      rows: last.decoded.data.processes.reduce((n, p) => n + (p.bySyscall?.length ?? 0), 0),
      processes: last.decoded.data.processes.length,
      hits: cache.hits,
      decodes: cache.decodes,
      estimatedBytes: cache.estimatedBytes,
    };
    for (const name of ['decoded', 'cached']) out[name] = { wall: stat(samples[name].wall), cpu: stat(samples[name].cpu) };
    return out;
  } finally {
    child.kill('SIGKILL');
    for (const e of Object.values(engines)) await e.close();
  }
}

export function reportCache(r) {
  return r.map(reportMode).join('\n');
}

function reportMode(r) {
  const row = (k) => `  ${k.padEnd(8)} wall mean ${fmt(r[k].wall.mean).padStart(9)} median ${fmt(r[k].wall.median).padStart(9)}   CPU mean ${fmt(r[k].cpu.mean).padStart(9)} median ${fmt(r[k].cpu.median).padStart(9)}`;
  return [
    `syscall family reading, ${r.mode} mode${r.stop ? ', child stopped (no call in flight)' : ''}, counter: ${r.counter}; ${r.calls} calls each, alternating; ${r.processes} processes, ${r.rows} (process, syscall) rows`,
    row('decoded'),
    row('cached'),
    `  change-counter cache: ${r.hits} hits, ${r.decodes} decode(s); cached result ~${r.estimatedBytes} B (estimate)`,
    `  ratio decoded / cached: wall ${(r.decoded.wall.median / r.cached.wall.median).toFixed(1)}x median, CPU ${(r.decoded.cpu.mean / r.cached.cpu.mean).toFixed(1)}x mean`,
  ].join('\n');
}
