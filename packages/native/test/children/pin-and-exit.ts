// Loads map_types.bpf.o, writes known values into mt_hash, pins it at
// BPFSCOPE_PIN_PATH and exits without closing anything: the pin must outlive us.
import { fileURLToPath } from 'node:url';
import { BpfObject } from '../../src/index.js';

const path = process.env.BPFSCOPE_PIN_PATH;
if (!path) throw new Error('BPFSCOPE_PIN_PATH is not set');
const obj = BpfObject.open(fileURLToPath(new URL('../fixtures/map_types.bpf.o', import.meta.url)));
await obj.load();
const hash = obj.map('mt_hash');
for (let k = 1; k <= 3; k++) {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setUint32(0, k, true);
  const value = new Uint8Array(16);
  new DataView(value.buffer).setBigUint64(8, BigInt(k * 1000), true);
  hash.update(key, value);
}
hash.pin(path);
process.stdout.write(`pinned ${path} id ${hash.id}\n`);
process.exit(0);
