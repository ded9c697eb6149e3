// The net eBPF source as the tests make it: the plugin's options over defaults, and the
// engine's services (a native object loader, the real /proc and /sys, the system clock).
import { createProcfsReader, systemClock } from '@bpfscope/core';
import { NativeObjectLoader } from '@bpfscope/native';
import { NetEbpfSource } from '../src/ebpf/net-ebpf-source.js';
import { NET_OBJECT_PATH } from '../src/object-path.js';
import { resolveNetOptions, type NetPluginOptions } from '../src/options.js';

/** A new eBPF source of the net family with `options`. */
export function netEbpfSource(options: NetPluginOptions = {}): NetEbpfSource {
  return new NetEbpfSource(resolveNetOptions(options, NET_OBJECT_PATH), { loader: new NativeObjectLoader(), procfs: createProcfsReader('/proc', '/sys'), clock: systemClock });
}
