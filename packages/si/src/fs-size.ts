import type { FsMetrics, FsMount } from '@bpfscope/plugin-fs';
import type { SiFsSizeData } from './types.js';

/** Types systeminformation counts as in-memory or pseudo filesystems (a substring match, as it does). */
const MEMORY_TYPES = ['rootfs', 'unionfs', 'squashfs', 'cramfs', 'initrd', 'initramfs', 'devtmpfs', 'tmpfs', 'udev', 'devfs', 'specfs', 'type', 'appimaged'];

/**
 * Whether df counts a mount as remote (coreutils' ME_REMOTE): a `host:path` source, a
 * `//server/share` of smbfs/smb3/cifs, or the automounter's `-hosts`. `df -l` leaves them out.
 */
function remote(device: string, type: string): boolean {
  return device.includes(':') || (device.startsWith('//') && ['smbfs', 'smb3', 'cifs'].includes(type)) || device === '-hosts';
}

/**
 * The mounts `df -lkPTx squashfs` lists and systeminformation keeps: local, not squashfs, and
 * a device path, the root mount, a `C:`-like source, or any type that is not an in-memory one.
 */
function kept(device: string, type: string, mount: string): boolean {
  if (type === 'squashfs' || remote(device, type)) return false;
  const t = type.toLowerCase();
  return device.startsWith('/') || mount === '/' || device.indexOf('/') > 0 || device.indexOf(':') === 1 || !MEMORY_TYPES.some((m) => t.includes(m));
}

/**
 * One mount per filesystem, as df lists them: of the mounts of one device (bind mounts, the
 * same filesystem mounted twice) the one with the shortest mount point, in mount-point order.
 */
function shortestPerDevice(mounts: readonly FsMount[]): FsMount[] {
  const best = new Map<string, FsMount>();
  for (const m of mounts) {
    const b = best.get(m.dev);
    if (!b || m.mountPoint.length < b.mountPoint.length) best.set(m.dev, m);
  }
  return mounts.filter((m) => best.get(m.dev) === m);
}

/**
 * systeminformation's fsSize() from an fs reading (statfs of each mount), optionally only the
 * filesystems whose device or mount point contains `drive` (case-insensitive).
 * @internal
 */
export function toFsSize(data: FsMetrics, drive?: string): SiFsSizeData[] {
  const out: SiFsSizeData[] = [];
  for (const m of shortestPerDevice(data.mounts)) {
    if (!kept(m.device, m.fsType, m.mountPoint)) continue;
    if (out.some((o) => o.fs === m.device && o.type === m.fsType && o.mount === m.mountPoint)) continue;
    out.push({
      fs: m.device,
      type: m.fsType,
      size: m.size,
      used: m.used,
      available: m.available,
      use: m.used + m.available > 0 ? Number(((100 * m.used) / (m.used + m.available)).toFixed(2)) : 0,
      mount: m.mountPoint,
      rw: !m.readOnly,
    });
  }
  if (drive === undefined || drive === '') return out;
  const d = drive.toLowerCase();
  return out.filter((o) => o.fs.toLowerCase().includes(d) || o.mount.toLowerCase().includes(d));
}
