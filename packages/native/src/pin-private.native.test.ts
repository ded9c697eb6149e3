// Nothing exposed (docs/reliability.md): a map or program pinned in bpffs is a file of mode
// 0600 owned by the process that pinned it, whatever its umask (the kernel creates the pin
// with S_IRUSR | S_IWUSR less the umask, which can only narrow it). Checked as root and as
// the user nobody with only CAP_BPF + CAP_PERFMON, by stat() of the pins.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { BPF_CAPS, requireReadableByNobody, runAsNobody } from '../../../test/unprivileged.js';
import { fixture } from '../test/helpers.js';
import { bpffsTestDir } from '../test/workload.js';
import { BpfObject } from './index.js';

const NATIVE = fileURLToPath(new URL('../dist/index.bundle.js', import.meta.url));

describeKernel('bpffs pins are private to their owner', () => {
  let dir: ReturnType<typeof bpffsTestDir>;
  beforeAll(() => {
    dir = bpffsTestDir();
  });
  afterAll(() => dir.remove());

  it('pinned by root with umask 0: mode 0600, owner root', async () => {
    const obj = BpfObject.open(fixture('map_types.bpf.o'));
    const old = process.umask(0);
    try {
      await obj.load();
      obj.map('mt_hash').pin(`${dir.path}/root_map`);
      obj.pinProgram('mt_switch', `${dir.path}/root_prog`);
    } finally {
      process.umask(old);
      obj.close();
    }
    for (const p of ['root_map', 'root_prog']) {
      const st = statSync(`${dir.path}/${p}`);
      expect({ p, mode: (st.mode & 0o7777).toString(8), uid: st.uid, gid: st.gid }).toEqual({ p, mode: '600', uid: 0, gid: 0 });
    }
  });

  it('pinned by nobody (CAP_BPF + CAP_PERFMON) with umask 0: mode 0600, owner nobody', async () => {
    const object = fixture('map_types.bpf.o');
    requireReadableByNobody([object, NATIVE]);
    // A bpffs instance of its own, which nobody may write to (the one at /sys/fs/bpf is
    // root's, mode 0700); the pins made in it must still be 0600.
    const mount = mkdtempSync(join(tmpdir(), 'bpfscope-bpffs-'));
    execFileSync('mount', ['-t', 'bpf', '-o', 'mode=1777', 'bpf', mount]);
    try {
      await pinAsNobody(object, mount);
    } finally {
      execFileSync('umount', [mount]);
      rmdirSync(mount);
    }
  });
});

/** Pins a map and a program of `object` in `dirPath` as nobody with umask 0, then checks the pins. */
async function pinAsNobody(object: string, dirPath: string): Promise<void> {
  const script = `
    process.umask(0);
    const { BpfObject } = await import(${JSON.stringify(NATIVE)});
    const obj = BpfObject.open(${JSON.stringify(object)});
    await obj.load();
    obj.map('mt_hash').pin(${JSON.stringify(`${dirPath}/nobody_map`)});
    obj.pinProgram('mt_switch', ${JSON.stringify(`${dirPath}/nobody_prog`)});
    obj.close();
  `;
  const run = await runAsNobody([process.execPath, '--input-type=module', '-e', script], BPF_CAPS);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  for (const p of ['nobody_map', 'nobody_prog']) {
    const st = statSync(`${dirPath}/${p}`);
    expect({ p, mode: (st.mode & 0o7777).toString(8), uid: st.uid }).toEqual({ p, mode: '600', uid: nobody });
  }
}
