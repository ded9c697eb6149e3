export { fs } from './plugin.js';
export { fsMetricMapper } from './metrics.js';
export { FS_OPTION_SCHEMA, type FsPluginOptions } from './options.js';
export type {
  FsMetrics,
  FsField,
  FsFile,
  FsFileProcess,
  FsProcess,
  FsDevice,
  FsLatencyHistogram,
  FsMount,
  FsKernelStats,
} from './records.js';
export type { FsEvent, FsEventType, FsEventBase, FsSlowIoEvent, FsOpenEvent } from './records-events.js';
