/** Where a command writes. Tests pass buffers. */
export interface CliIo {
  /** Receives the command's output: reports, snapshots, `--help` and `--version` (`process.stdout` in the binary). */
  stdout: {
    /** Writes one chunk of text; the return value is ignored. */
    write(chunk: string): unknown;
    /** True on a terminal: the human output is then coloured (unless NO_COLOR is set). */
    isTTY?: boolean;
  };
  /** Receives error messages with their remedies, and the usage text on a usage error (`process.stderr` in the binary). */
  stderr: {
    /** Writes one chunk of text; the return value is ignored. */
    write(chunk: string): unknown;
  };
}

/** Exit codes of the bpfscope command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
