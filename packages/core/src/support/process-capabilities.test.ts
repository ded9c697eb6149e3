import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readBpfCapabilities } from './process-capabilities.js';

const status = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/support/${name}/proc/self/status`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-caps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readBpfCapabilities', () => {
  it('reads CapEff bits: root has all three, nobody none, nobody with ambient CAP_BPF+CAP_PERFMON exactly those two', () => {
    expect(readBpfCapabilities(status('root-vm')).capabilities).toMatchObject({ CAP_BPF: true, CAP_PERFMON: true, CAP_SYS_ADMIN: true });
    expect(readBpfCapabilities(status('nobody-no-btf')).capabilities).toEqual({ effective: '0000000000000000', CAP_BPF: false, CAP_PERFMON: false, CAP_SYS_ADMIN: false });
    expect(readBpfCapabilities(status('nobody-bpf-perfmon')).capabilities).toEqual({ effective: '000000c000000000', CAP_BPF: true, CAP_PERFMON: true, CAP_SYS_ADMIN: false });
  });

  it('an unreadable file is unknown with the reason, not "no capabilities"', () => {
    const missing = join(dir, 'no-such-status');
    const r = readBpfCapabilities(missing);
    expect(r.capabilities).toBeNull();
    expect(r.reason).toBe(`${missing} could not be read: ENOENT: no such file or directory, open '${missing}'`);
  });

  it('a file without a CapEff line, or with a malformed one, is unknown with the reason', () => {
    const noLine = join(dir, 'no-capeff');
    writeFileSync(noLine, 'Name:\tcat\nCapPrm:\t0000000000000000\n');
    expect(readBpfCapabilities(noLine)).toEqual({ capabilities: null, reason: `${noLine} has no CapEff line` });
    const bad = join(dir, 'bad-capeff');
    writeFileSync(bad, 'CapEff:\tzz\n');
    expect(readBpfCapabilities(bad)).toEqual({ capabilities: null, reason: `${bad} has a malformed CapEff line: "CapEff:\\tzz"` });
  });
});
