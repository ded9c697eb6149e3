import type { ConnectionState } from '../records.js';

// include/net/tcp_states.h: TCP_ESTABLISHED = 1 ... TCP_BOUND_INACTIVE = 13.
const NAMES: readonly ConnectionState[] = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND_INACTIVE',
];

/**
 * The kernel's name of a socket state number.
 * @param code - the `st` column of /proc/net/tcp (or a state from the kernel)
 * @returns its name, `UNKNOWN` for a number this version does not name
 * @internal
 */
export function stateName(code: number): ConnectionState {
  return NAMES[code] ?? 'UNKNOWN';
}
