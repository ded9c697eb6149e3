// The task iterator with ~5,000 processes on the machine: decoded into JS
// records by @bpfscope/native, vs a C reader of the same BPF program, vs a
// Node walk of /proc/<pid>/stat for the same fields. The bench starts the
// processes itself (`sleep 600` children of one shell, in their own process
// group) and kills that group at the end.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { BpfObject } from '@bpfscope/native';
import { buildC } from './c-build.mjs';

const FIXTURE = fileURLToPath(new URL('../../packages/native/test/fixtures/iter_task.bpf.o', import.meta.url));

const countProcesses = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;

/** Starts `n` sleeping children of one shell, in a new process group; resolves once /proc shows them. */
async function startSleepers(n) {
  const before = countProcesses();
  const shell = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep 600 & i=$((i+1)); done; wait`], { detached: true, stdio: 'ignore' });
  // Kills the group this bench created, by its id, and waits until the sleepers are
  // gone, so that the next bench section counts the machine's processes right.
  const stop = async () => {
    try {
      process.kill(-shell.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (let i = 0; i < 200 && countProcesses() > before + 5; i++) await sleep(50);
  };
  for (let i = 0; i < 600 && countProcesses() < before + n; i++) await sleep(50);
  return { stop, started: countProcesses() - before };
}

/** What /proc/<pid>/stat says for the fields the iterator reports. */
function procfsWalk() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    out.push({ pid: Number(name), comm: stat.slice(open + 1, close), state: f[0], ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), starttime: Number(f[19]) });
  }
  return out;
}

export async function benchTaskIter({ target = 5000, rounds = 10 } = {}) {
  const existing = countProcesses();
  const sleepers = await startSleepers(Math.max(0, target - existing));
  const c = buildC('task_iter');
  const obj = BpfObject.open(FIXTURE);
  try {
    obj.setAutoload('iter_bpf_map', false);
    await obj.load();
    const processes = countProcesses();
    const cResult = c.run([FIXTURE, rounds]);
    const time = async (fn) => {
      await fn(); // warm-up
      const times = [];
      let n = 0;
      for (let r = 0; r < rounds; r++) {
        const t0 = process.hrtime.bigint();
        n = (await fn()).length;
        times.push(Number(process.hrtime.bigint() - t0));
      }
      return { meanNs: times.reduce((a, b) => a + b, 0) / times.length, bestNs: Math.min(...times), n };
    };
    const js = await time(() => obj.readIterator('iter_task', { recordLayout: 'iter_task_rec', decode: { u64: 'number' } }));
    const jsRaw = await time(async () => ({ length: (await obj.readIterator('iter_task')).length / 56 }));
    const procfs = await time(async () => procfsWalk());
    return { processes, started: sleepers.started, rounds, c: cResult, js, jsRaw, procfs };
  } finally {
    obj.close();
    c.cleanup();
    await sleepers.stop();
  }
}

export function reportTaskIter(r) {
  const ms = (ns) => `${(ns / 1e6).toFixed(2)} ms`.padStart(10);
  return [
    `task iterator: ${r.processes} processes (${r.started} sleepers started by the bench), ${r.rounds} rounds after one untimed warm-up on each side, mean (best)`,
    `  C, bpf_iter_create + read to EOF              ${ms(r.c.meanNs)} (${ms(r.c.bestNs).trim()})   ${r.c.records} task records`,
    `  JS readIterator, decoded records (numbers)    ${ms(r.js.meanNs)} (${ms(r.js.bestNs).trim()})   ${r.js.n} task records`,
    `  JS readIterator, bytes only                   ${ms(r.jsRaw.meanNs)} (${ms(r.jsRaw.bestNs).trim()})`,
    `  Node procfs walk, /proc/<pid>/stat            ${ms(r.procfs.meanNs)} (${ms(r.procfs.bestNs).trim()})   ${r.procfs.n} processes (threads not included)`,
    `  ratio JS/C time: ${(r.js.meanNs / r.c.meanNs).toFixed(2)}x (target within 2x: ${r.js.meanNs <= 2 * r.c.meanNs ? 'met' : 'NOT met'}); procfs/JS: ${(r.procfs.meanNs / r.js.meanNs).toFixed(1)}x`,
  ].join('\n');
}
