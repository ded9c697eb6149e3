// The cpu eBPF source needs task-local storage maps (Linux 5.11) for the run-queue wait of
// each task: on a kernel without them it names the feature (an engine in auto mode then falls
// back to procfs with that error as the reason). This kernel has them: the second test gives
// the source a probe that answers as a kernel without them would.
import { expect, it } from 'vitest';
import { createConsoleLogger, IncompatibleKernel, validateConfig, type SourceContext } from '@bpfscope/core';
import { probeMapType } from '@bpfscope/native';
import { describeKernel } from '../../../../test/real-kernel.js';
import { CpuEbpfSource } from './cpu-ebpf-source.js';

const context: SourceContext = { config: validateConfig({}), options: {}, logger: createConsoleLogger('silent'), signal: new AbortController().signal };
const withoutTaskStorage = (name: string): boolean => name !== 'task_storage' && probeMapType(name);

describeKernel('cpu eBPF source: task-local storage', () => {
  it('this kernel has task storage, and the source starts', async () => {
    expect(probeMapType('task_storage')).toBe(true);
    const ebpf = new CpuEbpfSource(undefined, { probeMapType });
    await ebpf.init(context);
    await ebpf.close();
  });

  it('without it, init is an IncompatibleKernel naming the map type and Linux 5.11, before anything is loaded', async () => {
    const ebpf = new CpuEbpfSource(undefined, { probeMapType: withoutTaskStorage });
    const error = await ebpf.init(context).then(() => null, (e: unknown) => e);
    await ebpf.close();
    expect(error).toBeInstanceOf(IncompatibleKernel);
    expect(error).toMatchObject({ code: 'INCOMPATIBLE_KERNEL', feature: expect.stringMatching(/TASK_STORAGE/), minimumKernel: '5.11' });
  });
});
