import type { FsField } from '../records.js';

/** Why per-process opens are null where processes come from /proc/&lt;pid&gt;/io. @internal */
export const PROCESS_OPENS = '/proc/<pid>/io counts no opens; the eBPF source does with the processes option';
/** Why per-process fsyncs are null where processes come from /proc/&lt;pid&gt;/io. @internal */
export const PROCESS_FSYNCS = '/proc/<pid>/io counts no fsync or fdatasync calls; the eBPF source does with the processes option';

/** Why the procfs/sysfs fallback leaves these parts empty or null. @internal */
export const FALLBACK_UNAVAILABLE: Readonly<Partial<Record<FsField, string>>> = Object.freeze({
  files:
    'procfs counts no operations or bytes per file: /proc/<pid>/fdinfo names the files a process has open (mount, inode, offset, flags) ' +
    'but not how much was read or written through them, nor files opened and closed between readings; ' +
    'the eBPF source counts them (the files option)',
  'devices.latency':
    '/proc/diskstats and /sys/block/<dev>/stat keep the total ms spent reading and writing, not a distribution per request; ' +
    'the eBPF source builds the log2 histograms (from each request\'s start to its completion)',
  'processes.opens': PROCESS_OPENS,
  'processes.fsyncs': PROCESS_FSYNCS,
  kernel: 'kernel-side counters exist only with the eBPF source',
});
