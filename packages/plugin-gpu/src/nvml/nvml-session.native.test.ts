// @bpfscope/native's NVML session against the stand-in libnvidia-ml.so.1: the raw
// figures of every documented struct field (so a layout error shows), bad use, and
// NVML shut down when a worker ends without closing.
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Closed, ConfigError } from '@bpfscope/core';
import { isNativeAvailable, openNvml, type NvmlSession } from '@bpfscope/native';
import { nvmlStandIn } from '../../test/nvml-standin.js';

const sessions: NvmlSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});
function session(): NvmlSession {
  const s = openNvml(nvmlStandIn());
  sessions.push(s);
  return s;
}

describe('openNvml with the stand-in', () => {
  it('reads every field of nvmlPciInfo_t, nvmlUtilization_t, nvmlMemory_t and nvmlProcessInfo_t as the stand-in filled them', () => {
    const s = session();
    expect([s.deviceCount(), s.driverVersion(), s.nvmlVersion()]).toEqual([2, '999.88.77', '12.999.88.77']);
    expect(s.device(1)).toEqual({
      index: 1,
      name: { ok: true, value: 'Stand-in GPU Beta' },
      pci: { ok: true, value: { busId: '00000001:AF:00.0', domain: 1, bus: 0xaf, device: 0, pciDeviceId: 0x1eb810de, pciSubSystemId: 0x12a210de } },
      utilization: { ok: true, value: { gpuPercent: 5, memoryPercent: 3 } },
      memory: { ok: true, value: { totalBytes: 16106127360, freeBytes: 16106127360 - 987654321, usedBytes: 987654321 } },
      powerMilliwatts: { ok: true, value: 27500 },
      temperatureCelsius: { ok: true, value: 44 },
      graphicsClockMhz: { ok: true, value: 585 },
      smClockMhz: { ok: true, value: 590 },
      memoryClockMhz: { ok: true, value: 5001 },
      fanPercent: { ok: false, function: 'nvmlDeviceGetFanSpeed', code: 3, codeName: 'NVML_ERROR_NOT_SUPPORTED', message: 'Not Supported' },
      computeProcesses: {
        ok: true,
        value: [
          { pid: 100, usedGpuMemoryBytes: 1048576, gpuInstanceId: 1, computeInstanceId: 2 },
          { pid: 200, usedGpuMemoryBytes: 2097152, gpuInstanceId: 3, computeInstanceId: 4 },
          { pid: 300, usedGpuMemoryBytes: 0, gpuInstanceId: 5, computeInstanceId: 6 },
        ],
      },
    });
  });

  it('an index NVML has no device for is NVML_ERROR_INVALID_ARGUMENT from nvmlDeviceGetHandleByIndex_v2', () => {
    expect(() => session().device(2)).toThrow('NVML device 2 is unavailable: nvmlDeviceGetHandleByIndex_v2 returned 2 NVML_ERROR_INVALID_ARGUMENT (Invalid Argument)');
  });

  it('refuses bad arguments with ConfigError and calls after close with Closed', () => {
    expect(() => openNvml('')).toThrow(ConfigError);
    const s = session();
    expect(() => s.device(-1)).toThrow(ConfigError);
    expect(() => s.device(1.5)).toThrow(ConfigError);
    s.close();
    expect(s.closed).toBe(true);
    expect(() => s.deviceCount()).toThrow(Closed);
    expect(() => s.device(0)).toThrow(Closed);
  });
});

describe('NVML session lifecycle', () => {
  it('a worker thread that exits without close() shuts NVML down once (env cleanup hook, then the finalizer does nothing more)', async () => {
    const native = isNativeAvailable();
    if (!native.ok) throw native.error;
    const log = join(mkdtempSync(join(tmpdir(), 'nvml-log-')), 'calls');
    // Set in the real environment (the stand-in reads it with getenv) before the worker starts.
    process.env.NVML_STANDIN_LOG = log;
    try {
      const code = `
        const { parentPort, workerData } = require('node:worker_threads');
        const holder = { exports: {} };
        process.dlopen(holder, workerData.addon);
        const s = new holder.exports.NvmlSession(workerData.lib);
        parentPort.postMessage(s.deviceCount().value);`;
      const worker = new Worker(code, { eval: true, workerData: { addon: native.path, lib: nvmlStandIn() } });
      const [count] = (await once(worker, 'message')) as [number];
      await once(worker, 'exit');
      expect(count).toBe(2);
      expect(readFileSync(log, 'utf8')).toBe('init\nshutdown\n');
    } finally {
      delete process.env.NVML_STANDIN_LOG;
    }
  });
});
