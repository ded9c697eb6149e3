import { escapeHtml as e } from './escape.js';
import type { RunReportData } from './report-data.js';
import { availabilitySection, processSection, summarySection, syscallSection, timeSection } from './sections.js';

// Inline only: the page makes no request (the CSP forbids every fetch and every script).
const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:16px 24px;color:#1c2430;background:#fff}
h1{font-size:20px;margin:8px 0}h2{font-size:17px;border-bottom:1px solid #d5dbe3;padding-bottom:4px;margin-top:28px}h3{font-size:14px;margin:16px 0 6px}
code,.comm{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
table{border-collapse:collapse;margin:6px 0;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eceff3;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td:nth-child(n+2){font-variant-numeric:tabular-nums}
.figures td:nth-child(-n+3){white-space:nowrap}
.note{color:#56606e;font-size:13px}.na{color:#8a93a0}
nav a{margin-right:12px}
svg.chart{width:100%;height:auto;background:#fbfcfd;border:1px solid #e3e7ec}
svg .grid{stroke:#e3e7ec}svg .axis{stroke:#9aa3af}svg .tick{font-size:11px;fill:#56606e}
svg .line{fill:none;stroke:#2f6fd0;stroke-width:1.5}svg circle.sample{fill:#2f6fd0}svg rect.sample.na{fill:#b8bfc9}
svg .bar{fill:#3c8f6b}svg .empty{fill:#8a93a0;font-size:14px}
@media (prefers-color-scheme:dark){body{background:#14181e;color:#dde3ea}th{background:#1f252d}th,td{border-color:#2a313a}
svg.chart{background:#181d24;border-color:#2a313a}svg .grid{stroke:#2a313a}svg .tick{fill:#a3adba}}
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

/**
 * The self-contained HTML report of a run: one file with inline CSS and inline SVG charts,
 * no script and no external request, readable offline. Every text that comes from the
 * traced command (its arguments, process names) is escaped.
 * @param data - the run
 * @returns the HTML document
 * @internal
 */
export function buildReportHtml(data: RunReportData): string {
  const cmd = data.command.join(' ');
  const started = new Date(data.startedAt).toISOString();
  const s = data.summary;
  const sections = s
    ? [summarySection(s), timeSection(data), syscallSection(s), processSection(data), availabilitySection(data)]
    : [`<section id="summary"><h2>Summary</h2><p class="na">${e(data.startError ?? 'the run has no summary')}</p></section>`, availabilitySection(data)];
  const nav = s
    ? '<nav><a href="#summary">Summary</a><a href="#time">Over time</a><a href="#syscalls">System calls</a><a href="#processes">Process tree</a><a href="#availability">Availability</a></nav>'
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bpfscope run --report">
<title>bpfscope run: ${e(cmd)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>bpfscope run</h1>
<p><code class="command">${e(cmd)}</code></p>
<p class="note">started ${e(started)}; every value names its source (ebpf: kernel programs, procfs: /proc).</p>
${nav}
${sections.join('\n')}
</body>
</html>
`;
}
