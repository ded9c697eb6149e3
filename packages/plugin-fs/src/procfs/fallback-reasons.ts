import type { FsField } from '../records.js';

/** Why per-process opens are null where processes come from /proc/&lt;pid&gt;/io. @internal */
export const PROCESS_OPENS = '/proc/<pid>/io counts no opens; the eBPF source does with the processes option';
/** Why per-process fsyncs are null where processes come from /proc/&lt;pid&gt;/io. @internal */
export const PROCESS_FSYNCS = '/proc/<pid>/io counts no fsync or fdatasync calls; the eBPF source does with the processes option';

/** Why the fallback's files (with the `files` option) have no counts. @internal */
export const OPEN_FILES_ONLY =
  'procfs counts no operations or bytes per file: the files listed are those processes hold open now (/proc/<pid>/fd), with every count null, ' +
  'and files opened and closed between readings are not seen; the eBPF source counts them';

/** Why the procfs/sysfs fallback leaves these parts empty or null. @internal */
export const FALLBACK_UNAVAILABLE: Readonly<Partial<Record<FsField, string>>> = Object.freeze({
  files:
    'off: with the files option the fallback lists the regular files processes hold open (from /proc/<pid>/fd), without counts; ' +
    'the eBPF source counts operations and bytes per file',
  'devices.latency':
    '/proc/diskstats and /sys/block/<dev>/stat keep the total ms spent reading and writing, not a distribution per request; ' +
    'the eBPF source builds the log2 histograms (from each request\'s start to its completion)',
  'processes.opens': PROCESS_OPENS,
  'processes.fsyncs': PROCESS_FSYNCS,
  kernel: 'kernel-side counters exist only with the eBPF source',
});
