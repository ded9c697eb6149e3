// Nothing exposed (docs/reliability.md): `bpfscope serve` listens on 127.0.0.1 unless --host
// names another address. Checked from the kernel's socket table (/proc/net/tcp, tcp6): the
// listening socket's local address, for the default and for an explicit --host 0.0.0.0.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));
const LISTEN = '0A';

/** Local addresses (hex, as the kernel prints them) of the sockets listening on `port`. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c[1]?.endsWith(`:${hexPort}`) && c[3] === LISTEN)
      .map((c) => c[1]!.split(':')[0]!),
  );
}

async function bound(extra: string[]): Promise<{ line: string; addresses: string[] }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--mode', 'fallback', '--families', 'cpu', ...extra]);
  try {
    const line = String((await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next()).value);
    const port = Number(/:(\d+)\/metrics/.exec(line)?.[1]);
    return { line, addresses: listeners(port) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

describe('bpfscope serve binds loopback unless told otherwise', () => {
  it('by default: one listening socket, on 127.0.0.1 only', async () => {
    const { line, addresses } = await bound([]);
    expect(line).toMatch(/^bpfscope serve: listening on http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(addresses).toEqual(['0100007F']); // 127.0.0.1, little-endian hex
  });

  it('--host 0.0.0.0 listens on every address, because it was asked to', async () => {
    const { line, addresses } = await bound(['--host', '0.0.0.0']);
    expect(line).toMatch(/^bpfscope serve: listening on http:\/\/0\.0\.0\.0:\d+\/metrics/);
    expect(addresses).toEqual(['00000000']);
  });
});
