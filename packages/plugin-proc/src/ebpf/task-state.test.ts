import { describe, expect, it } from 'vitest';
import { taskStateLetter } from './task-state.js';

describe('taskStateLetter (task_state_index of fs/proc/array.c)', () => {
  it.each([
    [0x0, 0, 'R'],
    [0x1, 0, 'S'],
    [0x2, 0, 'D'],
    [0x4, 0, 'T'],
    [0x8, 0, 't'],
    [0x0, 0x10, 'X'],
    [0x0, 0x20, 'Z'],
    [0x40, 0, 'P'],
    [0x402, 0, 'I'], // TASK_IDLE = UNINTERRUPTIBLE | NOLOAD
    [0x1000, 0, 'D'], // TASK_RTLOCK_WAIT shows as D
    [0x8001, 0, 'D'], // frozen shows as D
    [0x101, 0, 'S'], // TASK_KILLABLE bits beyond the report mask are ignored
  ])('state %s, exit_state %s → %s', (state, exitState, letter) => {
    expect(taskStateLetter(state, exitState)).toBe(letter);
  });
});
