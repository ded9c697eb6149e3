import { describe, expect, it } from 'vitest';
import { resolveNetOptions } from '../options.js';
import { optionsKernelPart, withPushed } from './net-kernel-filter.js';

describe('the kernel part of the net filter', () => {
  it('takes the options the kernel can hold: protocols, one port range, pids, cgroups, namespaces', () => {
    const one = optionsKernelPart(resolveNetOptions({ protocols: ['tcp'], ports: [{ from: 80, to: 90 }], pids: [7], cgroupIds: [9], netNamespaces: [4026531840] }, 'x'));
    expect(one).toEqual({ protocols: new Set(['tcp']), ports: { from: 80, to: 90 }, pids: new Set([7]), cgroupIds: new Set([9n]), netNamespaces: new Set([4026531840]) });
    expect(optionsKernelPart(resolveNetOptions({ ports: [{ from: 1, to: 2 }, { from: 5, to: 6 }] }, 'x'))).toEqual({});
  });

  it('narrows the options by a pushed filter and names what stays in user space', () => {
    const base = optionsKernelPart(resolveNetOptions({ protocols: ['tcp', 'udp'], ports: [{ from: 80, to: 90 }], pids: [1, 2] }, 'x'));
    const { kernel, result } = withPushed(base, { protocols: ['udp'], portRanges: [{ from: 85, to: 100 }], pids: [2, 3], comms: ['x'], minNetworkBytes: 5 });
    expect(kernel).toEqual({ protocols: new Set(['udp']), ports: { from: 85, to: 90 }, pids: new Set([2]) });
    expect(result).toEqual({ pushedDown: ['protocols', 'portRanges', 'pids'], notPushed: ['comms', 'minNetworkBytes'] });
  });

  it('keeps nothing for port ranges that do not meet, and leaves several ranges to user space', () => {
    const base = optionsKernelPart(resolveNetOptions({ ports: [{ from: 80, to: 90 }] }, 'x'));
    expect(withPushed(base, { portRanges: [{ from: 100, to: 200 }] }).kernel.ports).toEqual({ from: 1, to: 0 });
    expect(withPushed(base, { portRanges: [{ from: 1, to: 2 }, { from: 3, to: 4 }] }).result).toEqual({ pushedDown: [], notPushed: ['portRanges'] });
  });
});
