// Compile-time check (types only, nothing emitted): each result type of the facade has
// exactly the field names of systeminformation's own interface (its lib/index.d.ts, a
// devDependency), so a renamed or missing field fails `tsc -b`. Value types may differ:
// where bpfscope cannot measure a field it is `| null` (see the README). Not exported.
import type { Systeminformation as S } from 'systeminformation';
import type {
  SiCpuTemperatureData,
  SiCurrentLoadCpuData,
  SiCurrentLoadData,
  SiDisksIoData,
  SiFsSizeData,
  SiGraphicsData,
  SiMemData,
  SiNetworkConnectionsData,
  SiNetworkStatsData,
  SiProcessData,
  SiProcessesData,
} from './types.js';

type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { onlyOurs: Exclude<keyof A, keyof B>; onlyTheirs: Exclude<keyof B, keyof A> };
type Assert<T extends true> = T;

/** @internal */
export type ShapeChecks = [
  Assert<SameKeys<SiCurrentLoadData, S.CurrentLoadData>>,
  Assert<SameKeys<SiCurrentLoadCpuData, S.CurrentLoadCpuData>>,
  Assert<SameKeys<SiMemData, S.MemData>>,
  Assert<SameKeys<SiProcessesData, S.ProcessesData>>,
  Assert<SameKeys<SiProcessData, S.ProcessesProcessData>>,
  Assert<SameKeys<SiNetworkStatsData, S.NetworkStatsData>>,
  Assert<SameKeys<SiNetworkConnectionsData, S.NetworkConnectionsData>>,
  Assert<SameKeys<SiFsSizeData, S.FsSizeData>>,
  Assert<SameKeys<SiDisksIoData, S.DisksIoData>>,
  Assert<SameKeys<SiCpuTemperatureData, S.CpuTemperatureData>>,
  Assert<SameKeys<SiGraphicsData, S.GraphicsData>>,
];
