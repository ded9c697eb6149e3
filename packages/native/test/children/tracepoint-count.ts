// Run by tracepoint.native.test.ts inside a private mount namespace where tracefs is
// mounted: attaches tp_count.bpf.o's tracepoint program, has a steps child make
// CALLS getppid calls, and prints what the program counted for it as JSON.
import { existsSync } from 'node:fs';
import { StepsChild } from '../../../../test/steps.js';
import { BpfObject } from '../../src/index.js';
import { fixture, readU64, u32 } from '../helpers.js';
import { settle } from '../workload.js';

const calls = Number(process.env.CALLS);
const child = await StepsChild.start();
const obj = BpfObject.open(fixture('tp_count.bpf.o'), { constants: { target_tgid: child.pid } });
try {
  await obj.load();
  const count = obj.map('tpc_count');
  const link = obj.attach('tpc_getppid');
  const attachPoint = link.attachPoint;
  await child.run(`getppid ${calls}`);
  link.destroy();
  await settle(() => Buffer.from(count.readArray()).toString('hex'));
  const counted = Number(readU64(count.lookup(u32(0)) ?? new Uint8Array(8)));
  process.stdout.write(JSON.stringify({ tracefs: existsSync('/sys/kernel/tracing/events/syscalls/sys_enter_getppid'), attachPoint, calls, counted }));
} finally {
  obj.close();
  await child.stop();
}
