// A process with an open ring buffer consumer. BPFSCOPE_CHILD_MODE:
//   unref — the consumer is unref()ed and never closed: the process must exit
//           on its own (code 0), the env cleanup hook freeing the consumer;
//   ref   — the consumer (referenced) keeps the process alive until the record
//           of the process's own getppid call arrives; the listener then closes
//           everything and the process exits.
import { BpfObject } from '../../src/index.js';
import { fixture } from '../helpers.js';
import { RbTarget, setRbFilter } from '../ringbuf-workload.js';

const SYS_getppid = 110; // x86_64, the only architecture bpfscope's objects are built for
const mode = process.env.BPFSCOPE_CHILD_MODE ?? 'unref';

const obj = BpfObject.open(fixture('ringbuf.bpf.o'));
await obj.load();
obj.attach('rb_sys_enter');
const consumer = obj.ringBuffer('rb_events');
consumer.onBatch((batch) => {
  process.stdout.write(`batch ${batch.length}\n`);
  consumer.close();
  obj.close();
});
setRbFilter(obj, process.pid, SYS_getppid, RbTarget.EVENTS);
process.on('exit', () => process.stdout.write(`exit closed=${consumer.closed}\n`));
if (mode === 'unref') consumer.unref();
else setImmediate(() => process.ppid); // one getppid call: one record
process.stdout.write(`ready ${mode}\n`);
