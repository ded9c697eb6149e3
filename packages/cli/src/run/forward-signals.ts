/** Signals `bpfscope run` passes on to the command's process group. @internal */
export const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What {@link forwardSignals} returns. @internal */
export interface SignalForwarding {
  /** The command's process group is known: pass on what arrived before, and what comes after. */
  attach(pgid: number): void;
  /** Stop forwarding (this process then dies of these signals again). */
  stop(): void;
}

/**
 * Pass SIGINT, SIGTERM and SIGHUP on to a process group (the command and every
 * descendant that stayed in its group); a second signal kills the group with SIGKILL.
 * Meanwhile this process does not die of them, so that it can still write its summary.
 * Install it before spawning the command: the command can run (and be signalled
 * through this process) before `spawn()` returns, and a signal that arrives before
 * {@link SignalForwarding.attach} is passed on once the group is known.
 * @param say - where to say what was done
 * @internal
 */
export function forwardSignals(say: (line: string) => void): SignalForwarding {
  let received = 0;
  let pgid: number | null = null;
  const pending: NodeJS.Signals[] = [];
  const send = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pgid!, sig);
    } catch {
      // ESRCH: the group has already ended.
    }
  };
  const pass = (sig: NodeJS.Signals, nth: number): void => {
    if (nth === 1) {
      send(sig);
      say(`bpfscope run: ${sig} passed on to the command's process group ${pgid}; a second signal kills the group (SIGKILL)\n`);
    } else {
      send('SIGKILL');
      say(`bpfscope run: ${sig} again: SIGKILL sent to the process group ${pgid}\n`);
    }
  };
  const on = (sig: NodeJS.Signals): void => {
    received++;
    if (pgid === null) pending.push(sig);
    else pass(sig, received);
  };
  for (const sig of FORWARDED) process.on(sig, on);
  return {
    attach(group) {
      pgid = group;
      pending.splice(0).forEach((sig, i) => pass(sig, i + 1));
    },
    stop() {
      for (const sig of FORWARDED) process.off(sig, on);
    },
  };
}
