// The file part inside the family's eBPF source (with the block part): the source's reading
// carries the part's files and processes, and its pushdown the part's filters.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel } from '../../../../../test/real-kernel.js';
import { fsEbpfSource } from '../../../test/ebpf-source.js';
import { filePart, initContext } from '../../../test/file-part.js';
import { removeFileWorkBinary, startFileWork, type FileWorkload } from '../../../test/file-workload.js';
import type { FsEbpfSource } from '../fs-ebpf-source.js';
import { statDevText } from './kernel-dev.js';

describeKernel('fs eBPF source with the file part: files and processes in the family reading', () => {
  const options = { files: true, processes: true, maxTrackedFiles: 65536, maxFiles: 1_000_000, topK: 1_000_000 };
  let dir: string;
  let source: FsEbpfSource;
  const children: FileWorkload[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bpfscope-fsf-'));
    await (await startFileWork({ path: join(dir, 'warm'), k: 1, w: 1, j: 1, r: 1, name: 'fsf-warm' })).kill();
    source = fsEbpfSource(options, filePart(options));
    await source.init(initContext());
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await source?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    removeFileWorkBinary();
  });

  it('the workload file and process, exact, with the pid filter pushed down to the file part', async () => {
    const path = join(dir, 'src.dat');
    const c = await startFileWork({ path, k: 3, w: 3000, j: 2, r: 3000, name: 'fsf-src' });
    children.push(c);
    expect(await source.pushdown({ pids: [c.pid] })).toEqual({ pushedDown: ['pids'], notPushed: [] });
    expect(await c.step()).toBe('done');
    expect(await c.step()).toBe('closed');
    const m = await source.read({ signal: new AbortController().signal });
    const st = statSync(path, { bigint: true });
    const f = m.files.find((x) => x.dev === statDevText(st.dev) && x.inode === Number(st.ino));
    expect(f && { path: f.path, opens: f.opens, closes: f.closes, reads: f.reads, writes: f.writes, bytesRead: f.bytesRead, bytesWritten: f.bytesWritten, fsyncs: f.fsyncs })
      .toEqual({ path, opens: 1, closes: 1, reads: 2, writes: 3, bytesRead: 3000, bytesWritten: 3000, fsyncs: 1 });
    expect(m.processes.find((p) => p.pid === c.pid)).toMatchObject({ comm: 'fsf-src', reads: 2, writes: 3, bytesRead: 3000, bytesWritten: 3000, opens: 1, fsyncs: 1 });
    expect(m.unavailable.files).toBeUndefined();
    await source.pushdown({});
  });
});
