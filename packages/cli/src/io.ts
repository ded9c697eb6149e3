/** Where a command writes. Tests pass buffers. */
export interface CliIo {
  /** Receives the command's output: reports, snapshots, `--help` and `--version` (`process.stdout` in the binary). */
  stdout: {
    /** Writes one chunk of text; the return value is ignored. */
    write(chunk: string): unknown;
    /** True on a terminal: the human output is then coloured (unless NO_COLOR is set). */
    isTTY?: boolean;
    /** The terminal's width, on a terminal (`bpfscope top`). */
    columns?: number;
    /** The terminal's height, on a terminal (`bpfscope top`). */
    rows?: number;
    /** `'resize'`: the terminal changed size (`bpfscope top` draws again); `'error'`: a write failed (`bpfscope top` ends, quietly when the reader went away). */
    on?(event: 'resize' | 'error', listener: (error?: Error) => void): unknown;
    /** Removes a `'resize'` or `'error'` listener. */
    off?(event: 'resize' | 'error', listener: (error?: Error) => void): unknown;
  };
  /** The terminal's input, read in raw mode by `bpfscope top` for its keys (`process.stdin` in the binary). */
  stdin?: CliInput;
  /** Receives error messages with their remedies, and the usage text on a usage error (`process.stderr` in the binary). */
  stderr: {
    /** Writes one chunk of text; the return value is ignored. */
    write(chunk: string): unknown;
  };
}

/** Exit codes of the bpfscope command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The terminal input a command reads keys from (`process.stdin` in the binary). */
export interface CliInput {
  /** True on a terminal: only then does `bpfscope top` read keys. */
  isTTY?: boolean;
  /** Turns raw mode (each key as it is pressed, no echo, Ctrl-C as a byte) on or off. */
  setRawMode?(raw: boolean): unknown;
  /** Adds a listener for input. */
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  /** Removes a listener for input. */
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  /** Starts reading. */
  resume(): unknown;
  /** Stops reading, so that the input no longer keeps the process alive. */
  pause(): unknown;
}
