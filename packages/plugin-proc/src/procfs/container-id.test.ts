// The paths below are not captures (no container runtime runs on the capture machine):
// they are built from each runtime's documented cgroup naming scheme, with the long
// container ID of Docker's "Runtime metrics" page and a made-up pod UID. See
// test/fixtures/README.md, "Container cgroup paths".
import { describe, expect, it } from 'vitest';
import { containerFromCgroupPath } from './container-id.js';

const ID = 'ae836c95b4c3c9e9179e0e91015512da89fdec91612f63cebae57df9a5444c79';
const UID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
const UID_ = UID.replaceAll('-', '_');

describe('containerFromCgroupPath', () => {
  it.each([
    ['docker, cgroupfs driver', `/docker/${ID}`, { runtime: 'docker', containerId: ID, podUid: null }],
    ['docker, systemd driver', `/system.slice/docker-${ID}.scope`, { runtime: 'docker', containerId: ID, podUid: null }],
    ['containerd in a burstable pod, systemd driver', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/cri-containerd-${ID}.scope`, { runtime: 'containerd', containerId: ID, podUid: UID }],
    ['cri-o in a best-effort pod, systemd driver', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice/crio-${ID}.scope`, { runtime: 'cri-o', containerId: ID, podUid: UID }],
    ['docker (dockershim) in a guaranteed pod, systemd driver', `/kubepods.slice/kubepods-pod${UID_}.slice/docker-${ID}.scope`, { runtime: 'docker', containerId: ID, podUid: UID }],
    ['podman, rootful', `/machine.slice/libpod-${ID}.scope`, { runtime: 'podman', containerId: ID, podUid: null }],
    ['podman, rootless', `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`, { runtime: 'podman', containerId: ID, podUid: null }],
    ['a kubernetes pod, cgroupfs driver, burstable', `/kubepods/burstable/pod${UID}/${ID}`, { runtime: null, containerId: ID, podUid: UID }],
    ['a kubernetes pod, cgroupfs driver, guaranteed', `/kubepods/pod${UID}/${ID}`, { runtime: null, containerId: ID, podUid: UID }],
    ['a pod-level cgroup (no container)', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`, { runtime: null, containerId: null, podUid: UID }],
    ['the cri-o conmon monitor of a pod (not the container)', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice/crio-conmon-${ID}.scope`, { runtime: null, containerId: null, podUid: UID }],
  ])('%s', (_name, path, expected) => {
    expect(containerFromCgroupPath(path)).toEqual(expected);
  });

  it.each([
    ['the root', '/'],
    ['a login session', '/user.slice/user-0.slice/session-1.scope'],
    ['the capture machine\'s own memory cgroup (32 hex digits, not 64)', '/process_api/79e54fcc3643f7318cbb7f03d64d1da1'],
    ['a short docker ID', '/docker/ae836c95b4c3'],
    ['upper-case hex', `/docker/${ID.toUpperCase()}`],
    ['the podman conmon monitor', `/machine.slice/libpod-conmon-${ID}.scope`],
    ['a bare 64-hex component outside docker and kubepods', `/somewhere/${ID}`],
  ])('%s → null', (_name, path) => {
    expect(containerFromCgroupPath(path)).toBeNull();
  });
});
