import type { GpuDevice, GpuMetrics } from '@bpfscope/plugin-gpu';
import type { ThermalMetrics } from '@bpfscope/plugin-thermal';
import type { SiCpuTemperatureData, SiGraphicsControllerData, SiGraphicsData } from './types.js';

/** °C to one decimal, as systeminformation rounds millidegrees (`Math.round(v / 100) / 10`). */
const tenth = (c: number): number => Math.round(c * 10) / 10;

/** The shape with nothing measured: a machine without CPU temperature sensors. @internal */
export const NO_CPU_TEMPERATURE: SiCpuTemperatureData = Object.freeze({ main: null, cores: [], max: null, socket: [], chipset: null }) as SiCpuTemperatureData;

/**
 * systeminformation's cpuTemperature() from a thermal reading: its rules on Linux (the
 * package or Tctl channel, else the mean of the cores, else a zone named for the CPU; ACPI
 * zones as sockets, the PCH zone as chipset), over the family's values.
 * @internal
 */
export function toCpuTemperature(t: ThermalMetrics): SiCpuTemperatureData {
  const cores = t.cpus.map((c) => tenth(c.temperatureCelsius));
  const zone = (test: (type: string) => boolean): number | null => {
    const z = t.zones.find((x) => test(x.type) && x.temperatureCelsius !== null);
    return z ? tenth(z.temperatureCelsius!) : null;
  };
  const pkg = t.packages[0];
  let main: number | null = pkg ? tenth(pkg.temperatureCelsius) : null;
  if (main === null && cores.length > 0) main = Math.round(cores.reduce((a, b) => a + b, 0) / cores.length);
  if (main === null) main = zone((type) => type.toLowerCase().includes('cpu'));
  const max = main === null ? null : Math.max(main, ...cores);
  const socket = t.zones.filter((z) => z.type.startsWith('acpi') && z.temperatureCelsius !== null).map((z) => tenth(z.temperatureCelsius!));
  return { main, cores, max, socket, chipset: zone((type) => type.startsWith('pch')) };
}

const VENDORS: Readonly<Record<GpuDevice['vendor'], string>> = {
  nvidia: 'NVIDIA Corporation',
  amd: 'Advanced Micro Devices, Inc. [AMD/ATI]',
  intel: 'Intel Corporation',
  other: '',
};

const MIB = 1024 * 1024;
const mib = (bytes: number | null): number | null => (bytes === null ? null : Math.round(bytes / MIB));

/** A PCI address as sysfs and lspci write it: NVML's `00000000:3B:00.0` becomes `0000:3b:00.0`. */
function pciAddress(busId: string | null): string | null {
  if (busId === null) return null;
  const m = /^([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/.exec(busId);
  return m ? `${m[1]!.slice(-4)}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase() : busId.toLowerCase();
}

function controller(d: GpuDevice): SiGraphicsControllerData {
  const used = mib(d.memoryUsedBytes);
  const total = mib(d.memoryTotalBytes);
  const busAddress = pciAddress(d.busId);
  return {
    vendor: VENDORS[d.vendor],
    model: d.name ?? '',
    bus: busAddress === null ? '' : 'PCI',
    busAddress,
    vram: total,
    vramDynamic: d.vendor === 'intel' && d.memoryTotalBytes === null,
    memoryTotal: total,
    memoryUsed: used,
    memoryFree: total === null || used === null ? null : total - used,
    utilizationGpu: d.utilizationPercent,
    temperatureGpu: d.temperatureCelsius,
    powerDraw: d.powerMilliwatts === null ? null : d.powerMilliwatts / 1000,
    clockCore: d.clocks.graphicsMhz,
    clockMemory: d.clocks.memoryMhz,
    fanSpeed: d.fanPercent,
  };
}

/** systeminformation's graphics() from a gpu reading: one controller per device. @internal */
export function toGraphics(g: GpuMetrics): SiGraphicsData {
  return { controllers: g.devices.map(controller), displays: [] };
}
