// Opens a page in headless Chromium (Debian's `chromium`, installed by
// scripts/install-toolchain.sh) and returns the DOM after load with every console message.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What a page left after loading. */
export interface LoadedPage {
  /** The DOM serialised after load (`--dump-dom`). */
  dom: string;
  /** Console messages of the page, any level (errors, CSP violations, blocked requests, logs). */
  consoleMessages: string[];
}

/**
 * Loads a local file in headless Chromium. With `--enable-logging=stderr` Chromium logs each
 * console message of the page as a line with `:CONSOLE` (`INFO:CONSOLE:1] "message", source:
 * file:///... (1)`), whatever its level; blocked requests and script errors arrive the same way.
 * The rest of stderr is the browser's own noise (D-Bus, GPU) and is ignored. As root Chromium
 * needs --no-sandbox; its profile lives in a temporary directory, removed afterwards.
 */
export async function loadInChromium(file: string): Promise<LoadedPage> {
  const profile = mkdtempSync(join(tmpdir(), 'bpfscope-chromium-'));
  const args = [
    '--headless',
    '--disable-gpu',
    '--no-sandbox',
    '--no-first-run',
    '--disable-extensions',
    '--disable-background-networking',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
    '--dump-dom',
    pathToFileURL(file).href,
  ];
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      // The timeout only keeps a hung browser from hanging the suite.
      execFile('chromium', args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => (error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr })));
    });
    return { dom: stdout, consoleMessages: stderr.split('\n').filter((l) => /:CONSOLE\b/.test(l)) };
  } finally {
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  }
}
