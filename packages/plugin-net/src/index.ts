export { net } from './plugin.js';
export { netMetricMapper } from './metrics.js';
export { NET_OPTION_SCHEMA, type NetPluginOptions } from './options.js';
export type {
  NetMetrics,
  NetField,
  NetInterface,
  NetHost,
  NetConnection,
  NetProcess,
  NetTotals,
  NetKernelStats,
  NetProtocol,
  AddressFamily,
  ConnectionState,
} from './records.js';
export type {
  NetEvent,
  NetEventType,
  NetEventBase,
  NetConnectEvent,
  NetAcceptEvent,
  NetCloseEvent,
  NetStateEvent,
  NetRetransmitEvent,
  NetResetEvent,
} from './records-events.js';
