// The reference a user would write to list TCP connections with their processes:
// parse /proc/net/tcp and /proc/net/tcp6, then map each socket inode to the pids that
// hold it through a readlink of every /proc/<pid>/fd/<n>.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

/** "0100007F:1F90" (an address in the kernel's byte order per 32-bit word) → [text, port]. */
function endpoint(hex) {
  const [addr, port] = hex.split(':');
  const bytes = [];
  for (let w = 0; w < addr.length; w += 8) for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(addr.slice(w + b, w + b + 2), 16));
  let text;
  if (bytes.length === 4) text = bytes.join('.');
  else {
    const groups = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
    text = groups.join(':');
  }
  return [text, parseInt(port, 16)];
}

function socketHolders() {
  const byInode = new Map();
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let fds;
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let link;
      try {
        link = readlinkSync(`/proc/${name}/fd/${fd}`);
      } catch {
        continue;
      }
      if (link.startsWith('socket:[')) byInode.set(Number(link.slice(8, -1)), Number(name));
    }
  }
  return byInode;
}

/** Every TCP socket of this network namespace with its state and holding pid. */
export function referenceConnections() {
  const rows = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6
    }
    const lines = text.split('\n');
    for (let i = 1; i < lines.length; i++) {
      const f = lines[i].trim().split(/\s+/);
      if (f.length < 10) continue;
      const [localAddress, localPort] = endpoint(f[1]);
      const [remoteAddress, remotePort] = endpoint(f[2]);
      rows.push({ localAddress, localPort, remoteAddress, remotePort, state: STATES[parseInt(f[3], 16)], inode: Number(f[9]), pid: null });
    }
  }
  const holders = socketHolders();
  for (const r of rows) r.pid = holders.get(r.inode) ?? null;
  return rows;
}
