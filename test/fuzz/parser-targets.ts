// Every procfs/sysfs parser of core and the plugins, with the fixture files it is
// fed in its own tests. A target takes the (mutated) text and the file's path.
import { parseMountInfo, parseMountTable, parsePidIo, type ProcfsReader } from '@bpfscope/core';
import { parseLoadavg } from '../../packages/plugin-cpu/src/procfs/parse-loadavg.js';
import { parsePressure } from '../../packages/plugin-cpu/src/procfs/parse-pressure.js';
import { parseProcStat } from '../../packages/plugin-cpu/src/procfs/parse-stat.js';
import { parseBlockStat, parseDevNumbers, parseInflight } from '../../packages/plugin-fs/src/procfs/parse-block-stat.js';
import { parseDiskstats } from '../../packages/plugin-fs/src/procfs/parse-diskstats.js';
import { parseFdinfo } from '../../packages/plugin-fs/src/procfs/parse-fdinfo.js';
import { parseCgroupValue, parseMemoryMax, parseV1Limit } from '../../packages/plugin-mem/src/cgroup/parse-cgroup-value.js';
import { parseOomControl, readCgroupV1Memory } from '../../packages/plugin-mem/src/cgroup/read-cgroup-v1.js';
import { readCgroupV2Memory } from '../../packages/plugin-mem/src/cgroup/read-cgroup-v2.js';
import { parseFlatKeyed } from '../../packages/plugin-mem/src/procfs/parse-flat-keyed.js';
import { parseMeminfo } from '../../packages/plugin-mem/src/procfs/parse-meminfo.js';
import { parsePidFaults } from '../../packages/plugin-mem/src/procfs/parse-pid-faults.js';
import { parseVmstat, parseVmstatCounts } from '../../packages/plugin-mem/src/procfs/parse-vmstat.js';
import { parseNetDev } from '../../packages/plugin-net/src/procfs/parse-net-dev.js';
import { parseSnmp } from '../../packages/plugin-net/src/procfs/parse-snmp.js';
import { parseSocketTable } from '../../packages/plugin-net/src/procfs/parse-socket-table.js';
import { containerFromCgroupPath } from '../../packages/plugin-proc/src/procfs/container-id.js';
import { cgroupV2Path, parsePidCgroup } from '../../packages/plugin-proc/src/procfs/parse-pid-cgroup.js';
import { parsePidStat } from '../../packages/plugin-proc/src/procfs/parse-pid-stat.js';
import { parsePidStatus } from '../../packages/plugin-proc/src/procfs/parse-pid-status.js';
import { parseIoSyscallCounts } from '../../packages/plugin-syscall/src/procfs/parse-io-syscalls.js';
import { parsePidSyscall } from '../../packages/plugin-syscall/src/procfs/parse-pid-syscall.js';
import { readChip } from '../../packages/plugin-thermal/src/sysfs/read-hwmon.js';
import { readCooling, readZone } from '../../packages/plugin-thermal/src/sysfs/read-zones.js';
import { parseInteger, parseMillidegrees } from '../../packages/plugin-thermal/src/sysfs/sysfs-values.js';

/** A parser fed one mutated file. `files` are globs below the repository root. */
export interface TextTarget {
  name: string;
  files: readonly string[];
  run: (text: string, path: string) => unknown;
  /** Skips (and counts) what it cannot read instead of failing: no mutation makes it throw. */
  lenient?: boolean;
}

/**
 * A reader-level target: it reads a fixture tree through a {@link ProcfsReader} whose
 * files come back mutated (see mutating-reader.ts).
 */
export interface TreeTarget {
  name: string;
  /** Fixture tree root (has proc/ and sys/). */
  root: string;
  run: (reader: ProcfsReader) => unknown;
  /** Keeps errors beside the data instead of throwing. */
  lenient?: boolean;
}

const P = 'packages';
const BOOT = 1_765_000_000;

export const TEXT_TARGETS: readonly TextTarget[] = [
  { name: 'core parsePidIo', files: [`${P}/plugin-proc/test/fixtures/*/proc/*/io`, `${P}/plugin-fs/test/fixtures/*/proc/*/io`], run: (t, p) => parsePidIo(t, p) },
  { name: 'core parseMountInfo', files: [`${P}/plugin-fs/test/fixtures/*/proc/self/mountinfo`], lenient: true, run: (t, p) => parseMountInfo(t, p) },
  { name: 'core parseMountTable', files: [`${P}/core/test/fixtures/support/*/proc/mounts`], lenient: true, run: (t) => parseMountTable(t) },
  { name: 'cpu parseLoadavg', files: [`${P}/plugin-cpu/test/fixtures/*/proc/loadavg`], run: (t, p) => parseLoadavg(t, p) },
  { name: 'cpu parsePressure', files: [`${P}/plugin-cpu/test/fixtures/*/proc/pressure/cpu`], run: (t, p) => parsePressure(t, p) },
  { name: 'cpu parseProcStat', files: [`${P}/plugin-cpu/test/fixtures/*/proc/stat`, `${P}/plugin-proc/test/fixtures/vm-6.18/proc/stat`], run: (t, p) => parseProcStat(t, p, 100) },
  { name: 'fs parseBlockStat', files: [`${P}/plugin-fs/test/fixtures/debian12-vm/sys/block/*/stat`], run: (t, p) => parseBlockStat(p, t) },
  { name: 'fs parseInflight', files: [`${P}/plugin-fs/test/fixtures/debian12-vm/sys/block/*/inflight`], run: (t, p) => parseInflight(p, t) },
  { name: 'fs parseDevNumbers', files: [`${P}/plugin-fs/test/fixtures/debian12-vm/sys/block/*/dev`], run: (t, p) => parseDevNumbers(p, t) },
  { name: 'fs parseDiskstats', files: [`${P}/plugin-fs/test/fixtures/debian12-vm/proc/diskstats`, `${P}/plugin-fs/test/fixtures/generations/diskstats-*`], lenient: true, run: (t, p) => parseDiskstats(p, t) },
  { name: 'fs parseFdinfo', files: [`${P}/plugin-fs/test/fixtures/debian12-vm/proc/*/fdinfo/*`], run: (t, p) => parseFdinfo(p, t) },
  { name: 'mem parseMeminfo', files: [`${P}/plugin-mem/test/fixtures/vm-6.18/proc/meminfo`], run: (t, p) => parseMeminfo(t, p) },
  { name: 'mem parseVmstat', files: [`${P}/plugin-mem/test/fixtures/vm-6.18/proc/vmstat`], run: (t, p) => parseVmstat(t, p) },
  { name: 'mem parseVmstatCounts', files: [`${P}/plugin-mem/test/fixtures/vm-6.18/proc/vmstat`], run: (t, p) => parseVmstatCounts(t, p) },
  { name: 'mem parsePidFaults', files: [`${P}/plugin-mem/test/fixtures/vm-6.18/proc/*/stat`], run: (t, p) => parsePidFaults(t, p) },
  { name: 'mem parseFlatKeyed', files: [`${P}/plugin-mem/test/fixtures/cgroup-v2-derived/sys/fs/cgroup/bpfscope-fixture/memory.{stat,events}`], run: (t, p) => parseFlatKeyed(t, p) },
  { name: 'mem parseCgroupValue', files: [`${P}/plugin-mem/test/fixtures/cgroup-v2-derived/sys/fs/cgroup/bpfscope-fixture/memory.*current`], run: (t, p) => parseCgroupValue(t, p) },
  { name: 'mem parseMemoryMax', files: [`${P}/plugin-mem/test/fixtures/cgroup-v2-derived/sys/fs/cgroup/bpfscope-fixture/**/memory.max`], run: (t, p) => parseMemoryMax(t, p) },
  { name: 'mem parseV1Limit', files: [`${P}/plugin-mem/test/fixtures/cgroup-v1-before-oom/sys/fs/cgroup/memory/bpfscope-fixture/memory.*limit_in_bytes`], run: (t, p) => parseV1Limit(t, p) },
  { name: 'mem parseOomControl', files: [`${P}/plugin-mem/test/fixtures/cgroup-v1-before-oom/sys/fs/cgroup/memory/bpfscope-fixture/memory.oom_control`], run: (t, p) => parseOomControl(t, p) },
  { name: 'net parseNetDev', files: [`${P}/plugin-net/test/fixtures/debian12-vm/proc/net/dev`], run: (t, p) => parseNetDev(p, t) },
  { name: 'net parseSnmp', files: [`${P}/plugin-net/test/fixtures/debian12-vm/proc/net/{snmp,netstat}`], run: (t, p) => parseSnmp(p, t) },
  {
    name: 'net parseSocketTable',
    files: [`${P}/plugin-net/test/fixtures/debian12-vm/proc/net/{tcp,tcp6,udp,udp6}`],
    run: (t, p) => parseSocketTable(p, t, p.includes('/udp') ? 'udp' : 'tcp', p.endsWith('6') ? 6 : 4),
  },
  { name: 'proc parsePidCgroup', files: [`${P}/plugin-proc/test/fixtures/vm-6.18/proc/*/cgroup`, `${P}/plugin-net/test/fixtures/debian12-vm/proc/*/cgroup`], run: (t, p) => cgroupV2Path(parsePidCgroup(t, p)) },
  { name: 'proc containerFromCgroupPath', files: [`${P}/plugin-proc/test/fixtures/vm-6.18/proc/*/cgroup`], lenient: true, run: (t) => t.split('\n').map((l) => containerFromCgroupPath(l.slice(l.lastIndexOf(':') + 1))) },
  { name: 'proc parsePidStat', files: [`${P}/plugin-proc/test/fixtures/vm-6.18/proc/*/stat`], run: (t, p) => parsePidStat(t, p, { userHz: 100, pageSize: 4096, bootTime: BOOT }) },
  { name: 'proc parsePidStatus', files: [`${P}/plugin-proc/test/fixtures/vm-6.18/proc/*/status`, `${P}/core/test/fixtures/support/*/proc/self/status`], run: (t, p) => parsePidStatus(t, p) },
  { name: 'syscall parseIoSyscallCounts', files: [`${P}/plugin-syscall/test/fixtures/vm-6.18/proc/*/io`], run: (t, p) => parseIoSyscallCounts(t, p) },
  { name: 'syscall parsePidSyscall', files: [`${P}/plugin-syscall/test/fixtures/vm-6.18/proc/*/syscall`], run: (t, p) => parsePidSyscall(t, p) },
  { name: 'thermal parseInteger', files: [`${P}/plugin-thermal/test/fixtures/intel-thinkpad-t480/sys/class/thermal/cooling_device*/*_state`], run: (t, p) => parseInteger(p, t.trim()) },
  { name: 'thermal parseMillidegrees', files: [`${P}/plugin-thermal/test/fixtures/intel-thinkpad-t480/sys/class/hwmon/*/temp*_input`], run: (t, p) => parseMillidegrees(p, t.trim()) },
];

const THERMAL = `${P}/plugin-thermal/test/fixtures`;
const MEM = `${P}/plugin-mem/test/fixtures`;

export const TREE_TARGETS: readonly TreeTarget[] = [
  { name: 'thermal readChip', root: `${THERMAL}/intel-thinkpad-t480`, lenient: true, run: (r) => [0, 1, 2, 3].map((h) => readChip(r, h)) },
  { name: 'thermal readChip (amd)', root: `${THERMAL}/amd-ryzen-5900x-rx6800`, lenient: true, run: (r) => [0, 1, 2].map((h) => readChip(r, h)) },
  { name: 'thermal readZone/readCooling', root: `${THERMAL}/intel-thinkpad-t480`, lenient: true, run: (r) => [readZone(r, 0), readCooling(r, 1), readCooling(r, 4), readCooling(r, 5)] },
  { name: 'mem readCgroupV2Memory', root: `${MEM}/cgroup-v2-derived`, run: (r) => readCgroupV2Memory(r, 'fs/cgroup/bpfscope-fixture') },
  { name: 'mem readCgroupV1Memory', root: `${MEM}/cgroup-v1-before-oom`, run: (r) => readCgroupV1Memory(r, 'fs/cgroup/memory/bpfscope-fixture') },
];
