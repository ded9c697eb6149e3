// What the process holds: its open fds and, among them, the BPF programs, maps and links
// (with their kernel ids). Read from /proc/self/fd and /proc/self/fdinfo: exact (every
// BPF object the process holds is an fd of one of three anon-inode kinds, and each fdinfo
// names its kernel id), cheap (no child process, a few hundred small reads), and limited to
// this process (the machine is shared; a system-wide list would count other people's
// programs). An object the process made and no longer holds by fd but that the kernel keeps
// alive (a pin, a link that outlived its fd) is not in this walk: `aliveInKernel` asks the
// kernel's own id lists (bpftool) whether ids seen earlier still exist.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The fd kinds counted as BPF objects, by the target of their /proc/self/fd link. */
const BPF_KINDS = { 'anon_inode:bpf-prog': 'prog', 'anon_inode:bpf-map': 'map', 'anon_inode:bpf_link': 'link' };
const ID_FIELD = { prog: 'prog_id', map: 'map_id', link: 'link_id' };

/**
 * The process's open fds and BPF objects now.
 * @param {string} [procSelf] the /proc directory of the process (default /proc/self)
 * @returns {{ fds: Map<number, string>, prog: Set<number>, map: Set<number>, link: Set<number> }}
 *   fds: fd -> link target (e.g. `socket:[123]`, `anon_inode:bpf-map`); the id sets hold kernel ids
 */
export function processObjects(procSelf = '/proc/self') {
  const out = { fds: new Map(), prog: new Set(), map: new Set(), link: new Set() };
  // The directory handle of readdirSync is an fd of its own while it reads; it is closed
  // (and gone) before the links are read, so a target that no longer resolves is skipped.
  for (const name of readdirSync(`${procSelf}/fd`)) {
    const fd = Number(name);
    let target;
    try {
      target = readlinkSync(`${procSelf}/fd/${name}`);
    } catch {
      continue; // closed between the listing and now (the listing's own fd, or another thread's)
    }
    out.fds.set(fd, target);
    const kind = BPF_KINDS[target];
    if (!kind) continue;
    let info;
    try {
      info = readFileSync(`${procSelf}/fdinfo/${name}`, 'utf8');
    } catch {
      out.fds.delete(fd);
      continue;
    }
    const m = new RegExp(`^${ID_FIELD[kind]}:\\s*(\\d+)$`, 'm').exec(info);
    if (m) out[kind].add(Number(m[1]));
  }
  return out;
}

/** Counts of a {@link processObjects} result. */
export function objectCounts(o) {
  return { fds: o.fds.size, progs: o.prog.size, maps: o.map.size, links: o.link.size };
}

/**
 * What `after` holds that `before` did not: fds (by number and target) and BPF objects (by
 * kind and kernel id). An fd number reused for another target counts as left over.
 * @returns {Array<{ type: 'fd' | 'prog' | 'map' | 'link', id: number, target?: string }>}
 */
export function leftovers(before, after) {
  const out = [];
  for (const [fd, target] of after.fds) if (before.fds.get(fd) !== target) out.push({ type: 'fd', id: fd, target });
  for (const kind of ['prog', 'map', 'link']) {
    for (const id of after[kind]) if (!before[kind].has(id)) out.push({ type: kind, id });
  }
  return out;
}

/** What `before` held that `after` no longer does (e.g. an fd the engine closed that it had not opened). */
export function missing(before, after) {
  return leftovers(after, before);
}

/** bpftool's list of one kind of object, as id -> object. */
function kernelList(kind) {
  const list = JSON.parse(execFileSync('bpftool', ['-j', kind, 'show'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }));
  return new Map(list.map((o) => [o.id, o]));
}

/**
 * Which of the given kernel ids still exist anywhere in the kernel, by bpftool's id lists.
 * The kernel frees a program or map after its last reference goes, but not at once (after
 * an RCU grace period, maps in a workqueue): an id the process no longer holds may be listed
 * for some milliseconds more. So the lists are read again, every 50 ms, until none of the
 * ids is listed or `patienceMs` has passed; ids never reused meanwhile (the kernel allocates
 * them cyclically), so an id still listed is the same object.
 * @param {{ prog: Iterable<number>, map: Iterable<number>, link: Iterable<number> }} ids
 * @param {number} [patienceMs]
 * @returns {Promise<{ available: boolean, reason?: string, waitedMs: number, alive: Array<{ type: string, id: number, name?: string }> }>}
 */
export async function aliveInKernel(ids, patienceMs = 5000) {
  const started = Date.now();
  for (;;) {
    const alive = [];
    for (const kind of ['prog', 'map', 'link']) {
      let byId;
      try {
        byId = kernelList(kind);
      } catch (err) {
        return { available: false, reason: `bpftool -j ${kind} show failed: ${String(err?.message ?? err).split('\n')[0]}`, waitedMs: Date.now() - started, alive };
      }
      for (const id of ids[kind]) {
        const o = byId.get(id);
        if (o) alive.push({ type: kind, id, ...(o.name ? { name: o.name } : {}) });
      }
    }
    const waitedMs = Date.now() - started;
    if (alive.length === 0 || waitedMs >= patienceMs) return { available: true, waitedMs, alive };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
