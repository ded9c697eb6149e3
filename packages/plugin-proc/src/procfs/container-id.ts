/** A container runtime whose cgroup naming is recognised by {@link containerFromCgroupPath}. */
export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman';

/** What a cgroup path says about the container (and Kubernetes pod) a process runs in. */
export interface ContainerIdentity {
  /** The runtime, when the path names it; null for a Kubernetes cgroupfs-driver path, whose last component is a bare ID. */
  runtime: ContainerRuntime | null;
  /** The 64-hex-digit container ID, or null for a pod-level cgroup (the pod sandbox's own processes). */
  containerId: string | null;
  /** The Kubernetes pod UID with dashes (`kubepods…pod<uid>…`), or null outside Kubernetes. */
  podUid: string | null;
}

const HEX64 = '[0-9a-f]{64}';
// systemd scope units of the runtimes: <prefix>-<id>.scope. The conmon monitors of CRI-O
// (crio-conmon-<id>.scope) and podman (libpod-conmon-<id>.scope) are not the container and
// do not match: their names have "conmon-" before the ID.
const SCOPES: ReadonlyArray<readonly [RegExp, ContainerRuntime]> = [
  [new RegExp(`^docker-(${HEX64})\\.scope$`), 'docker'],
  [new RegExp(`^cri-containerd-(${HEX64})\\.scope$`), 'containerd'],
  [new RegExp(`^crio-(${HEX64})\\.scope$`), 'cri-o'],
  [new RegExp(`^libpod-(${HEX64})\\.scope$`), 'podman'],
];
const BARE_ID = new RegExp(`^${HEX64}$`);
// kubepods-burstable-pod<uid>.slice (systemd driver: the UID's dashes become underscores)
// or pod<uid> (cgroupfs driver).
const POD = /^(?:kubepods(?:-[a-z]+)*-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;

/**
 * Find the container (and Kubernetes pod) in a cgroup path, from the naming schemes of
 * the runtimes:
 *
 * - Docker, cgroupfs driver: `/docker/<id>`; systemd driver: `/system.slice/docker-<id>.scope`
 * - containerd (CRI plugin, systemd driver): `…/cri-containerd-<id>.scope`
 * - CRI-O (systemd driver): `…/crio-<id>.scope`
 * - podman (systemd driver): `…/libpod-<id>.scope`
 * - Kubernetes: a `kubepods` component, then `pod<uid>` (cgroupfs driver) or
 *   `kubepods-<qos>-pod<uid with _ for ->.slice` (systemd driver), then the container's
 *   cgroup: one of the scopes above or a bare `<id>` (cgroupfs driver)
 *
 * `<id>` is 64 lower-case hex digits. Anything else (a conmon monitor scope, a short ID, a
 * host service) gives null: the function never guesses.
 * @param cgroupPath - a path from /proc/&lt;pid&gt;/cgroup, e.g. `/system.slice/docker-ae83….scope`
 * @returns the identity, or null when the path is not a container's
 * @example
 * ```ts
 * containerFromCgroupPath('/docker/ae836c95b4c3c9e9179e0e91015512da89fdec91612f63cebae57df9a5444c79');
 * // { runtime: 'docker', containerId: 'ae836c95…', podUid: null }
 * ```
 */
export function containerFromCgroupPath(cgroupPath: string): ContainerIdentity | null {
  const parts = cgroupPath.split('/').filter((p) => p.length > 0);
  const kube = parts.findIndex((p) => p === 'kubepods' || p.startsWith('kubepods.') || p.startsWith('kubepods-'));
  let podUid: string | null = null;
  if (kube >= 0) {
    for (const p of parts.slice(kube)) {
      const m = POD.exec(p);
      if (m) podUid = (m[1] as string).replaceAll('_', '-');
    }
  }
  // The container is the deepest component that names one.
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i] as string;
    for (const [re, runtime] of SCOPES) {
      const m = re.exec(p);
      if (m) return { runtime, containerId: m[1] as string, podUid };
    }
    if (BARE_ID.test(p)) {
      if (i > 0 && parts[i - 1] === 'docker') return { runtime: 'docker', containerId: p, podUid };
      if (podUid !== null) return { runtime: null, containerId: p, podUid };
    }
  }
  return podUid === null ? null : { runtime: null, containerId: null, podUid };
}
