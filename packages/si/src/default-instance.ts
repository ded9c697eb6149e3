import type { SystemInformationOptions } from './shared-engine.js';
import { SystemInformation } from './system-information.js';
import type {
  SiCpuTemperatureData,
  SiCurrentLoadData,
  SiDisksIoData,
  SiFsSizeData,
  SiGraphicsData,
  SiMemData,
  SiNetworkConnectionsData,
  SiNetworkStatsData,
  SiProcessesData,
} from './types.js';

let shared: SystemInformation | null = null;
let sharedOptions: SystemInformationOptions = {};

const instance = (): SystemInformation => (shared ??= new SystemInformation(sharedOptions));

/**
 * Set the options of the module's shared facade (the one the plain functions use), e.g. your
 * own engine. It takes effect at the next call; a running shared facade is closed first.
 * @param options - as for {@link SystemInformation}
 * @throws {@link @bpfscope/core!ConfigError} for a bad option
 */
export async function configure(options: SystemInformationOptions): Promise<void> {
  const next = new SystemInformation(options);
  await shutdown();
  sharedOptions = options;
  shared = next;
}

/** Stop the shared facade's engine (the next call starts a new one). */
export async function shutdown(): Promise<void> {
  const s = shared;
  shared = null;
  await s?.close();
}

/** {@link SystemInformation.currentLoad} of the shared facade. @returns systeminformation's `CurrentLoadData` */
export const currentLoad = (): Promise<SiCurrentLoadData> => instance().currentLoad();
/** {@link SystemInformation.mem} of the shared facade. @returns systeminformation's `MemData` */
export const mem = (): Promise<SiMemData> => instance().mem();
/** {@link SystemInformation.processes} of the shared facade. @returns systeminformation's `ProcessesData` */
export const processes = (): Promise<SiProcessesData> => instance().processes();
/** {@link SystemInformation.networkStats} of the shared facade. @param ifaces - `*`, a list, or none for the default interface @returns systeminformation's `NetworkStatsData` list */
export const networkStats = (ifaces?: string): Promise<SiNetworkStatsData[]> => instance().networkStats(ifaces);
/** {@link SystemInformation.networkConnections} of the shared facade. @returns systeminformation's `NetworkConnectionsData` list */
export const networkConnections = (): Promise<SiNetworkConnectionsData[]> => instance().networkConnections();
/** {@link SystemInformation.fsSize} of the shared facade. @param drive - a device or mount point substring @returns systeminformation's `FsSizeData` list */
export const fsSize = (drive?: string): Promise<SiFsSizeData[]> => instance().fsSize(drive);
/** {@link SystemInformation.disksIO} of the shared facade. @returns systeminformation's `DisksIoData` */
export const disksIO = (): Promise<SiDisksIoData> => instance().disksIO();
/** {@link SystemInformation.cpuTemperature} of the shared facade (no thermal family yet: nulls). @returns systeminformation's `CpuTemperatureData` shape */
export const cpuTemperature = (): Promise<SiCpuTemperatureData> => instance().cpuTemperature();
/** {@link SystemInformation.graphics} of the shared facade (no GPU family yet: empty). @returns systeminformation's `GraphicsData` shape */
export const graphics = (): Promise<SiGraphicsData> => instance().graphics();
