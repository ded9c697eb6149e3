// A workload for the net family's real tests, run inside a test network namespace. It reads
// one JSON command per line on stdin and answers one JSON line on stdout:
//   {op:'udp', host, count, size}  count datagrams of size bytes from one socket to another, answered once all arrived
//   {op:'listen', host}            a TCP listener; answers its port (accepted connections stay open)
//   {op:'connect', host, port}     a TCP connection to it; answers the local port
//   {op:'accepted', port, count}   answered once the listener on port has accepted count connections
//                                  (a connect completes before the listener's accept(): until then
//                                  the accepted socket is in no process's descriptors)
import dgram from 'node:dgram';
import net from 'node:net';
import { createInterface } from 'node:readline';

const keep = [];
const answer = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function udp({ host, count, size }) {
  const type = host.includes(':') ? 'udp6' : 'udp4';
  const rx = dgram.createSocket(type);
  const tx = dgram.createSocket(type);
  await new Promise((r) => rx.bind(0, host, r));
  await new Promise((r) => tx.bind(0, host, r));
  let got = 0;
  let bytes = 0;
  const all = new Promise((r) => rx.on('message', (m) => { got++; bytes += m.length; if (got === count) r(); }));
  const payload = Buffer.alloc(size, 0x61);
  // One at a time: a datagram is sent only after the previous one arrived, so no receive
  // queue can overflow and drop one.
  for (let i = 0; i < count; i++) {
    const before = got;
    await new Promise((r, j) => tx.send(payload, rx.address().port, host, (e) => (e ? j(e) : r())));
    while (got === before) await new Promise((r) => setImmediate(r));
  }
  await all;
  const ports = [tx.address().port, rx.address().port];
  tx.close();
  rx.close();
  return { received: got, bytes, ports };
}

/** Per listening port: connections accepted, and who waits for how many. */
const listeners = new Map();

function listen({ host }) {
  const state = { accepted: 0, waiting: [] };
  const server = net.createServer((c) => {
    keep.push(c);
    state.accepted++;
    state.waiting = state.waiting.filter((w) => (state.accepted >= w.count ? (w.resolve(), false) : true));
  });
  keep.push(server);
  return new Promise((r) => server.listen(0, host, () => {
    listeners.set(server.address().port, state);
    r({ port: server.address().port });
  }));
}

function accepted({ port, count }) {
  const state = listeners.get(port);
  if (state === undefined) return Promise.reject(new Error(`no listener on port ${port}`));
  return new Promise((resolve) => {
    if (state.accepted >= count) resolve();
    else state.waiting.push({ count, resolve });
  }).then(() => ({ accepted: state.accepted }));
}

function connect({ host, port }) {
  return new Promise((r, j) => {
    const c = net.connect(port, host, () => r({ localPort: c.localPort }));
    c.on('error', j);
    keep.push(c);
  });
}

const ops = { udp, listen, connect, accepted };
answer({ ready: true, pid: process.pid });
for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line);
  try {
    answer({ ok: true, ...(await ops[cmd.op](cmd)) });
  } catch (e) {
    answer({ ok: false, error: String(e) });
  }
}
process.exit(0);
