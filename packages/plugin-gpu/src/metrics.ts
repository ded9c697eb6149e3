import { log2HistogramFromSlots, metricDescriptorFor, SOURCE_ATTRIBUTE, type FamilyMetricMapper, type FamilyResult, type MetricAttributes, type MetricSink } from '@bpfscope/core';
import type { GpuDevice, GpuMetrics } from './records.js';

const d = metricDescriptorFor('gpu');

// OpenTelemetry's hardware conventions (semconv hardware/gpu.md, common.md, fan.md):
// hw.gpu.* for the GPU itself; power and fan as the common hw.* metrics, the fan on a
// child component whose hw.parent is the GPU. hw.temperature is the thermal family's (one
// name, one family; it already has the DRM GPUs' hwmon channels), so the GPU's own
// temperature is bpfscope.gpu.temperature.
const UTILIZATION = d('hw.gpu.utilization', 'gauge', '1', 'Fraction of time the GPU was busy over the driver\'s last sample period (hw.gpu.task = general).');
const MEMORY_USAGE = d('hw.gpu.memory.usage', 'updown', 'By', 'GPU memory in use.');
const MEMORY_LIMIT = d('hw.gpu.memory.limit', 'updown', 'By', 'GPU memory in total.');
const MEMORY_UTILIZATION = d('hw.gpu.memory.utilization', 'gauge', '1', 'Fraction of GPU memory in use (hw.gpu.memory.usage / hw.gpu.memory.limit of the same reading).');
const POWER = d('hw.power', 'gauge', 'W', 'Power the GPU draws (hw.type = gpu).');
const TEMPERATURE = d('bpfscope.gpu.temperature', 'gauge', 'Cel', 'GPU die temperature as the GPU\'s source reports it (hw.temperature is the thermal family\'s).');
const FAN = d('hw.fan.speed_ratio', 'gauge', '1', 'GPU fan speed as a fraction of its maximum (hw.type = fan, hw.parent = the GPU).');
const CLOCK = d('bpfscope.gpu.clock.frequency', 'gauge', 'Hz', 'A GPU clock (bpfscope.gpu.clock = graphics, sm or memory); OpenTelemetry names no GPU clock metric.');
const PROCESS_MEMORY = d('bpfscope.gpu.process.memory.usage', 'updown', 'By', 'GPU memory a process holds on a device, as the driver reports it (detail: process).', 'process');
const CUDA_LAUNCHES = d('bpfscope.gpu.cuda.kernel_launches', 'counter', '{launch}', 'cudaLaunchKernel calls of a process since the family started (eBPF, detail: process).', 'process');
const CUDA_ALLOCATIONS = d('bpfscope.gpu.cuda.allocations', 'counter', '{call}', 'cudaMalloc calls of a process since the family started (eBPF, detail: process).', 'process');
const CUDA_ALLOCATED = d('bpfscope.gpu.cuda.allocated', 'counter', 'By', 'Bytes a process asked of cudaMalloc since the family started (eBPF, detail: process).', 'process');
const CUDA_FREES = d('bpfscope.gpu.cuda.frees', 'counter', '{call}', 'cudaFree calls of a process since the family started (eBPF, detail: process).', 'process');
const CUDA_COPIED = d('bpfscope.gpu.cuda.copied', 'counter', 'By', 'Bytes a process passed to cudaMemcpy since the family started, by direction (eBPF, detail: process).', 'process');
const FENCES_EMITTED = d('bpfscope.gpu.fence.emitted', 'counter', '{fence}', 'GPU jobs submitted on a DMA fence context since the family started (eBPF dma_fence_init).');
const FENCES_SIGNALED = d('bpfscope.gpu.fence.signaled', 'counter', '{fence}', 'GPU jobs completed on a DMA fence context since the family started (eBPF dma_fence_signaled).');
const FENCE_LATENCY = d('bpfscope.gpu.fence.latency', 'histogram', 'ns', 'Init-to-signal time of the completed jobs of a fence context (eBPF).');
const KERNEL_INVOCATIONS = d('bpfscope.gpu.kernel.invocations', 'counter', '{invocation}', 'Runs of the gpu programs since their object was loaded (eBPF).');
const KERNEL_DROPS = d('bpfscope.gpu.kernel.drops', 'counter', '{entry}', 'Processes or fence contexts the maps had no room for, and fences signalled without a seen init (eBPF).');

function mapDevice(g: GpuDevice, source: string, sink: MetricSink): void {
  const a: MetricAttributes = {
    [SOURCE_ATTRIBUTE]: source, 'hw.id': g.id, 'hw.type': 'gpu', 'hw.vendor': g.vendor,
    ...(g.name !== null ? { 'hw.name': g.name } : {}), ...(g.driver !== null ? { 'bpfscope.gpu.driver': g.driver } : {}), ...(g.busId !== null ? { 'bpfscope.gpu.bus_id': g.busId } : {}),
  };
  if (g.utilizationPercent !== null) sink.number(UTILIZATION, null, { ...a, 'hw.gpu.task': 'general' }, g.utilizationPercent / 100);
  if (g.memoryUsedBytes !== null) sink.number(MEMORY_USAGE, null, a, g.memoryUsedBytes);
  if (g.memoryTotalBytes !== null) sink.number(MEMORY_LIMIT, null, a, g.memoryTotalBytes);
  if (g.memoryUsedBytes !== null && g.memoryTotalBytes !== null && g.memoryTotalBytes > 0) sink.number(MEMORY_UTILIZATION, null, a, g.memoryUsedBytes / g.memoryTotalBytes);
  if (g.powerMilliwatts !== null) sink.number(POWER, null, a, g.powerMilliwatts / 1000);
  const child = (type: string): MetricAttributes => ({ [SOURCE_ATTRIBUTE]: source, 'hw.id': `${g.id}/${type}`, 'hw.type': type, 'hw.parent': g.id });
  if (g.temperatureCelsius !== null) sink.number(TEMPERATURE, null, a, g.temperatureCelsius);
  if (g.fanPercent !== null) sink.number(FAN, null, child('fan'), g.fanPercent / 100);
  for (const [clock, mhz] of [['graphics', g.clocks.graphicsMhz], ['sm', g.clocks.smMhz], ['memory', g.clocks.memoryMhz]] as const) {
    if (mhz !== null) sink.number(CLOCK, null, { ...a, 'bpfscope.gpu.clock': clock }, mhz * 1e6);
  }
  if (sink.wants('process')) for (const p of g.processes ?? []) if (p.usedMemoryBytes !== null) sink.number(PROCESS_MEMORY, null, { ...a, 'process.pid': p.pid }, p.usedMemoryBytes);
}

function mapGpu(result: FamilyResult<GpuMetrics>, sink: MetricSink): void {
  const data = result.data;
  const deviceSource = data.fieldSources.devices ?? result.source;
  for (const g of data.devices) mapDevice(g, deviceSource, sink);
  const ebpf = { [SOURCE_ATTRIBUTE]: 'ebpf' };
  // Counted since the family started, a time the reading does not carry: no start time.
  if (sink.wants('process')) {
    for (const c of data.cuda) {
      const who = { ...ebpf, 'process.pid': c.pid, 'process.executable.name': c.comm };
      sink.number(CUDA_LAUNCHES, null, who, c.kernelLaunches);
      sink.number(CUDA_ALLOCATIONS, null, who, c.allocations);
      sink.number(CUDA_ALLOCATED, null, who, c.allocatedBytes);
      sink.number(CUDA_FREES, null, who, c.frees);
      for (const [dir, bytes] of Object.entries(c.copyBytes)) sink.number(CUDA_COPIED, null, { ...who, 'bpfscope.gpu.cuda.copy_direction': dir }, bytes);
    }
  }
  for (const f of data.fences) {
    const a = { ...ebpf, 'bpfscope.gpu.fence.driver': f.driver, 'bpfscope.gpu.fence.context': f.context, ...(f.timeline === null ? {} : { 'bpfscope.gpu.fence.timeline': f.timeline }) };
    sink.number(FENCES_EMITTED, null, a, f.emitted);
    sink.number(FENCES_SIGNALED, null, a, f.signaled);
    sink.histogram(FENCE_LATENCY, null, a, log2HistogramFromSlots(f.latencyHistogram, 'ns'), f.latencyNsTotal);
  }
  if (data.kernel !== null) {
    sink.number(KERNEL_INVOCATIONS, null, ebpf, data.kernel.invocations);
    sink.number(KERNEL_DROPS, null, ebpf, data.kernel.drops);
  }
}

/**
 * The gpu family's metric points (declared as the plugin's `metricMappers`), named after
 * OpenTelemetry's hardware conventions: `hw.gpu.utilization`, `hw.gpu.memory.usage`,
 * `hw.gpu.memory.limit`, `hw.gpu.memory.utilization`, `hw.power` (hw.type gpu) and
 * `hw.fan.speed_ratio` (a child component of the GPU); the temperature, clocks, the
 * per-process figures (detail `process`), the fence contexts and the programs' counters
 * under `bpfscope.gpu.*`. A figure the source could not read gives no point.
 */
export const gpuMetricMapper: FamilyMetricMapper<'gpu'> = Object.freeze({
  family: 'gpu',
  descriptors: Object.freeze([
    UTILIZATION, MEMORY_USAGE, MEMORY_LIMIT, MEMORY_UTILIZATION, POWER, TEMPERATURE, FAN, CLOCK, PROCESS_MEMORY,
    CUDA_LAUNCHES, CUDA_ALLOCATIONS, CUDA_ALLOCATED, CUDA_FREES, CUDA_COPIED, FENCES_EMITTED, FENCES_SIGNALED, FENCE_LATENCY, KERNEL_INVOCATIONS, KERNEL_DROPS,
  ]),
  map: mapGpu,
});
