import type { CliInput } from '../io.js';

/** The escape sequences `bpfscope top` writes on a terminal (ECMA-48 / xterm). @internal */
export const ANSI = {
  enterAltScreen: '\u001b[?1049h',
  leaveAltScreen: '\u001b[?1049l',
  hideCursor: '\u001b[?25l',
  showCursor: '\u001b[?25h',
  home: '\u001b[H',
  clearToLineEnd: '\u001b[K',
  clearBelow: '\u001b[J',
} as const;

/** The terminal's output as `top` uses it (`process.stdout` on a terminal). @internal */
export interface ScreenOutput {
  write(chunk: string): unknown;
  columns?: number;
  rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

/**
 * The full-screen terminal: the alternate screen with the cursor hidden and the input in
 * raw mode while it is open; `close()` restores all three, once, whatever happened.
 * @internal
 */
export class Screen {
  private open = false;
  private readonly onData = (chunk: Buffer | string): void => this.keys(typeof chunk === 'string' ? chunk : chunk.toString('latin1'));

  constructor(
    private readonly out: ScreenOutput,
    private readonly input: CliInput,
    private readonly keys: (chunk: string) => void,
    private readonly onResize: () => void,
  ) {}

  /** The size frames are laid out in. The last column stays empty, so that no line makes the terminal wrap. */
  size(): { columns: number; rows: number } {
    return { columns: Math.max(1, (this.out.columns || 80) - 1), rows: Math.max(1, this.out.rows || 24) };
  }

  /** Switches to the alternate screen, hides the cursor, reads keys in raw mode. */
  enter(): void {
    this.open = true;
    this.out.write(ANSI.enterAltScreen + ANSI.hideCursor + ANSI.home + ANSI.clearBelow);
    this.input.setRawMode?.(true);
    this.input.on('data', this.onData);
    this.input.resume();
    this.out.on?.('resize', this.onResize);
  }

  /** Draws the lines from the top left, clearing what the previous frame left. */
  draw(lines: readonly string[]): void {
    if (!this.open) return;
    // Carriage returns of its own: libuv's raw mode keeps ONLCR, other raw modes may not.
    this.out.write(ANSI.home + lines.map((l) => l + ANSI.clearToLineEnd).join('\r\n') + ANSI.clearBelow);
  }

  /** Restores the terminal: raw mode off, cursor shown, the main screen back. Safe to call twice. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.out.off?.('resize', this.onResize);
    this.input.off('data', this.onData);
    this.input.setRawMode?.(false);
    this.input.pause();
    this.out.write(ANSI.showCursor + ANSI.leaveAltScreen);
  }
}
