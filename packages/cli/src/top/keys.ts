import type { TopSort } from './panes-proc.js';

/** What a key asks for. @internal */
export type TopAction = { type: 'quit' } | { type: 'sort'; by: TopSort };

const SORT_KEYS: Readonly<Record<string, TopSort>> = { c: 'cpu', m: 'mem', p: 'pid', i: 'io', s: 'syscalls' };

// CSI and SS3 sequences (arrow and function keys): their letters are not commands.
const ESCAPES = /\u001b(\[[0-?]*[ -/]*[@-~]|O.)/g;

/**
 * The actions in a chunk of raw-mode input, in order: `q`, `Q`, Ctrl-C and Ctrl-D quit;
 * `c` `m` `p` `i` `s` sort by cpu, memory, pid, I/O, system calls. Other keys do nothing.
 * @internal
 */
export function parseKeys(chunk: string): TopAction[] {
  const out: TopAction[] = [];
  for (const ch of chunk.replace(ESCAPES, '')) {
    if (ch === 'q' || ch === 'Q' || ch === '\u0003' || ch === '\u0004') out.push({ type: 'quit' });
    else {
      const by = SORT_KEYS[ch.toLowerCase()];
      if (by) out.push({ type: 'sort', by });
    }
  }
  return out;
}
