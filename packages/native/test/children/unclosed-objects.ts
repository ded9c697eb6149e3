// Opens, loads and attaches objects, starts a batch read, and never closes
// anything. With argv "exit-during-load" it calls process.exit(0) while a load
// is still running on a pool thread. The env cleanup hook must free all of it
// without crashing: the parent asserts exit code 0.
import { BpfObject } from '../../src/index.js';
import { fixture } from '../helpers.js';

const mode = process.env.BPFSCOPE_CHILD_MODE ?? 'natural-exit';

const obj = BpfObject.open(fixture('maps.bpf.o'));
await obj.load();
const link = obj.attach('test_switch');
const hash = obj.map('test_hash');
hash.update(new Uint8Array(4), new Uint8Array(16));
void hash.lookupBatch();

const second = BpfObject.open(fixture('missing_tp.bpf.o'));
const loading = second.load();
process.stdout.write(`ready ${link.attachPoint}\n`);
if (mode === 'exit-during-load') process.exit(0);
await loading;
