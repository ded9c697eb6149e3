// Exits while native work of the newer kinds is in flight: streamed batch
// reads between chunks (one into a caller's buffer), a whole read into a
// caller's buffer, an iterator read, a libbpf log sink with messages
// queued, a stats handle and a pinned map left open. The parent asserts exit
// code 0 (no crash in env teardown).
import { BpfMap, BpfObject, enableRunStats, setLibbpfLogger } from '../../src/index.js';
import { fixture } from '../helpers.js';

const pinDir = process.env.BPFSCOPE_PIN_DIR ?? '';
setLibbpfLogger({ warn: () => undefined, info: () => undefined, debug: () => undefined }, 'debug');
const stats = enableRunStats();
const obj = BpfObject.open(fixture('maps.bpf.o'));
await obj.load();
const hash = obj.map('test_hash');
const keys = new Uint8Array(50_000 * 4);
const view = new DataView(keys.buffer);
for (let i = 0; i < 50_000; i++) view.setUint32(i * 4, i, true);
await hash.updateBatch(keys, new Uint8Array(50_000 * 16));
hash.pin(`${pinDir}/hash`);
const pinned = BpfMap.openPinned(`${pinDir}/hash`);
const iter = BpfObject.open(fixture('iter_task.bpf.o'));
await iter.load();
void iter.readIterator('iter_task');
const chunks = pinned.lookupBatches({ chunkEntries: 256 });
await chunks.next();
void chunks.next();
const intoChunks = pinned.lookupBatches({ chunkEntries: 256, into: new Uint8Array(pinned.batchBytes()) });
await intoChunks.next();
void intoChunks.next();
void hash.lookupBatch({ into: new Uint8Array(hash.batchBytes()) });
void BpfObject.open(fixture('map_types.bpf.o')).load(); // log messages from a pool thread
process.stdout.write(`ready ${stats.enabled}\n`);
process.exit(0);
