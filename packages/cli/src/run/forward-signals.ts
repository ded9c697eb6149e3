/** Signals `bpfscope run` passes on to the command's process group. @internal */
export const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Pass SIGINT, SIGTERM and SIGHUP on to a process group (the command and every
 * descendant that stayed in its group); a second signal kills the group with SIGKILL.
 * Meanwhile this process does not die of them, so that it can still write its summary.
 * @param pgid - the process group (the command's PID: it was spawned leading its own group)
 * @param say - where to say what was done
 * @returns a function that stops forwarding
 * @internal
 */
export function forwardSignals(pgid: number, say: (line: string) => void): () => void {
  let received = 0;
  const send = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // ESRCH: the group has already ended.
    }
  };
  const on = (sig: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      send(sig);
      say(`bpfscope run: ${sig} passed on to the command's process group ${pgid}; a second signal kills the group (SIGKILL)\n`);
    } else {
      send('SIGKILL');
      say(`bpfscope run: ${sig} again: SIGKILL sent to the process group ${pgid}\n`);
    }
  };
  for (const sig of FORWARDED) process.on(sig, on);
  return () => {
    for (const sig of FORWARDED) process.off(sig, on);
  };
}
