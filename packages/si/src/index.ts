/**
 * `@bpfscope/si`: systeminformation's functions (currentLoad, mem, processes, networkStats,
 * networkConnections, fsSize, disksIO, cpuTemperature, graphics) with its result shapes,
 * answered from one shared bpfscope engine, without starting any child process.
 *
 * @packageDocumentation
 */
export { SystemInformation } from './system-information.js';
export type { SystemInformationOptions } from './shared-engine.js';
export {
  configure,
  shutdown,
  currentLoad,
  mem,
  processes,
  networkStats,
  networkConnections,
  fsSize,
  disksIO,
  cpuTemperature,
  graphics,
} from './default-instance.js';
export type {
  SiCurrentLoadData,
  SiCurrentLoadCpuData,
  SiMemData,
  SiProcessesData,
  SiProcessData,
  SiNetworkStatsData,
  SiNetworkConnectionsData,
  SiFsSizeData,
  SiDisksIoData,
  SiCpuTemperatureData,
  SiGraphicsData,
  SiGraphicsControllerData,
} from './types.js';
