import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { describeKernel } from '../../../test/real-kernel.js';
import { loadInChromium } from '../test/chromium.js';
import { compileStatic, EXACT_CALLS } from '../test/compile-c.js';
import type { RunSampleLine, RunSummaryLine } from './run/run-report.js';

const BIN = fileURLToPath(new URL('../bin/bpfscope.js', import.meta.url));

/** The SVG of one chart in a document. */
function chart(html: string, id: string): string {
  const m = new RegExp(`<svg[^>]*data-chart="${id}"[\\s\\S]*?</svg>`).exec(html);
  if (!m) throw new Error(`no chart ${id}`);
  return m[0];
}
const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;
const values = (svg: string): number[] => [...svg.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));

describeKernel('bpfscope run --report: an HTML report that a browser opens, holding the run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-html-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the console check of the browser sees what a page logs (control)', async () => {
    const page = join(dir, 'control.html');
    writeFileSync(page, '<!DOCTYPE html><html><body><script>console.error("control-message")</script></body></html>');
    const { consoleMessages } = await loadInChromium(page);
    expect(consoleMessages.filter((m) => m.includes('control-message'))).toHaveLength(1);
  });

  it('opens in headless Chromium with no console message, and its charts hold exactly the samples of --out', async () => {
    // A workload whose name is markup: the report must show it as text.
    const workload = join(dir, '<i>w');
    copyFileSync(compileStatic(EXACT_CALLS), workload);
    const out = join(dir, 'run.jsonl');
    const report = join(dir, 'run.html');
    // It runs until --out holds three samples (no timing assumed), then ends.
    const script = `'${workload}' 3000 5 >/dev/null; until [ "$(grep -c '"type":"sample"' '${out}')" -ge 3 ]; do sleep 0.05; done`;
    const code = await new Promise<number | null>((resolve) => {
      execFile(process.execPath, [BIN, 'run', '--mode', 'ebpf', '--json', '--interval', '100', '--out', out, '--report', report, '--', 'sh', '-c', script]).on('exit', resolve);
    });
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunSampleLine | RunSummaryLine);
    const samples = lines.filter((l): l is RunSampleLine => l.type === 'sample');
    const summary = lines.at(-1) as RunSummaryLine;
    expect(summary.type).toBe('summary');
    expect(samples.length).toBeGreaterThanOrEqual(3);

    const { dom, consoleMessages } = await loadInChromium(report);
    expect(consoleMessages).toEqual([]);

    // One point per sample in each time chart; those that did not measure the value marked as such.
    const cpu = chart(dom, 'cpu');
    expect(count(cpu, /class="sample/g)).toBe(samples.length);
    expect(count(cpu, /class="sample na"/g)).toBe(samples.filter((s) => s.cpuSeconds === null).length);
    const memory = chart(dom, 'memory');
    expect(count(memory, /class="sample/g)).toBe(samples.length);
    expect(values(memory)).toEqual(samples.flatMap((s) => (s.rssBytes === null ? [] : [s.rssBytes])));

    // Syscalls by category and by name, as the summary has them.
    const sc = summary.syscalls!;
    expect(sc.source).toBe('ebpf');
    const bars = [...chart(dom, 'syscall-categories').matchAll(/data-label="([^"]+)" data-value="(\d+)"/g)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(Object.fromEntries(bars)).toEqual(sc.byCategory);
    const calls = Object.fromEntries([...dom.matchAll(/<span data-call="([^"]+)">(\d+)<\/span>/g)].map((m) => [m[1]!, Number(m[2])]));
    expect(calls).toEqual(sc.calls);

    // The process tree: every process the summary counts, the workload's name as text, not markup.
    expect(summary.tree.source).toBe('ebpf');
    expect(count(dom, /data-pid="/g)).toBe(summary.tree.spawned);
    expect(dom).toMatch(/<span class="comm"[^>]*>&lt;i&gt;w<\/span><\/td><td>[^<]+<\/td><td>[^<]+<\/td><td>0<\/td>/);
    expect(dom).not.toContain('<i>');
  });
});
