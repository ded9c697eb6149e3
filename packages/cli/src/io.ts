/** Where a command writes. Tests pass buffers. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/** Exit codes of the bpfscope command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
