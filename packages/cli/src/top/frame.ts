/**
 * One pane of `bpfscope top`: a title, lines that are always shown (column headers,
 * summaries), and rows that may be cut when the terminal is too short (most important
 * first). @internal
 */
export interface Pane {
  /** The family's name as the pane title shows it, e.g. `cpu`. */
  title: string;
  /** Said after the title: the source, the window the figures cover. */
  subtitle: string;
  /** Shown whenever the pane is. */
  head: string[];
  /** Shown as far as the height allows, in this order. */
  rows: string[];
  /** Shown after the rows, as far as the height allows (notes, unavailable fields). */
  tail: string[];
}

/** The size to lay a frame out in; `null` for no limit (plain lines to a pipe). @internal */
export interface FrameSize {
  columns: number | null;
  rows: number | null;
}

/** How a pane's title line reads: `[cpu] ebpf, busy% over 1000 ms`. @internal */
export function paneTitle(p: Pane): string {
  return p.subtitle === '' ? `[${p.title}]` : `[${p.title}] ${p.subtitle}`;
}

/**
 * Lays the header and panes out as lines: each pane's title and head lines first, then
 * a row of each, then their tail lines, then the rest of the rows shared in turn, so a
 * short terminal still shows every pane. Lines longer than the width are cut, with
 * `~` as the last column to say so. @internal
 */
export function layoutFrame(header: readonly string[], panes: readonly Pane[], size: FrameSize): string[] {
  const blocks = panes.map((p) => ({ fixed: [paneTitle(p), ...p.head], rows: p.rows, tail: p.tail, shownRows: 0, shownTail: 0 }));
  if (size.rows !== null) {
    // One blank line between panes.
    let left = size.rows - header.length - blocks.reduce((n, b) => n + b.fixed.length + 1, 0);
    // First a row of each pane, then the tails (short notes such as the run-queue latency),
    // then the rows left round-robin, so that no pane's long list starves the panes after it.
    for (const b of blocks) if (left > 0 && b.rows.length > 0) (b.shownRows++, left--);
    for (const b of blocks) {
      const n = Math.max(0, Math.min(b.tail.length, left));
      b.shownTail = n;
      left -= n;
    }
    let progress = true;
    while (left > 0 && progress) {
      progress = false;
      for (const b of blocks) {
        if (left > 0 && b.shownRows < b.rows.length) (b.shownRows++, left--, (progress = true));
      }
    }
  } else for (const b of blocks) (b.shownRows = b.rows.length), (b.shownTail = b.tail.length);
  const lines = [...header];
  for (const b of blocks) {
    lines.push('', ...b.fixed, ...b.rows.slice(0, b.shownRows));
    const cut = b.rows.length - b.shownRows;
    // Say that rows were left out, in place of the last one shown.
    if (cut > 0 && b.shownRows > 0) lines[lines.length - 1] = `  ... ${cut + 1} more (a taller terminal shows them)`;
    lines.push(...b.tail.slice(0, b.shownTail));
  }
  const height = size.rows === null ? lines.length : Math.max(0, size.rows);
  return lines.slice(0, height).map((l) => fitWidth(l, size.columns));
}

/** A line cut to `columns` characters (code points), `~` marking the cut. @internal */
export function fitWidth(line: string, columns: number | null): string {
  if (columns === null) return line;
  const chars = Array.from(line);
  if (chars.length <= columns) return line;
  if (columns <= 0) return '';
  return `${chars.slice(0, columns - 1).join('')}~`;
}
