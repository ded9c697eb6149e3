// The comparisons of scripts/check-gpu.sh, kept free of I/O so that they are tested
// (compare.test.ts): nvidia-smi's CSV against the gpu family's devices, and a CUDA
// workload's own tally of its calls against the family's uprobe counts for its pid.

/** The nvidia-smi fields the check asks for, in order (--query-gpu=...). */
export const SMI_FIELDS = ['index', 'name', 'pci.bus_id', 'utilization.gpu', 'memory.used', 'memory.total', 'power.draw', 'temperature.gpu', 'clocks.gr', 'clocks.sm', 'clocks.mem', 'fan.speed'];

const MIB = 1024 * 1024;

/**
 * Parse `nvidia-smi --query-gpu=<SMI_FIELDS> --format=csv,noheader,nounits`: one line per
 * GPU, comma-separated; a value nvidia-smi cannot read is `[N/A]` or `[Not Supported]` (null).
 */
export function parseSmiCsv(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((line) => {
      const cells = line.split(',').map((c) => c.trim());
      if (cells.length !== SMI_FIELDS.length) throw new Error(`nvidia-smi line has ${cells.length} fields, ${SMI_FIELDS.length} asked for: ${line}`);
      const num = (i) => (/^\[.*\]$/.test(cells[i]) || cells[i] === '' ? null : Number(cells[i]));
      return {
        index: num(0),
        name: cells[1],
        busId: cells[2],
        utilizationPercent: num(3),
        memoryUsedMiB: num(4),
        memoryTotalMiB: num(5),
        powerWatts: num(6),
        temperatureCelsius: num(7),
        graphicsMhz: num(8),
        smMhz: num(9),
        memoryMhz: num(10),
        fanPercent: num(11),
      };
    });
}

/** A PCI bus id as `dddd:bb:dd.f`, lower case: NVML and nvidia-smi print an 8-digit domain. */
export function normalBusId(id) {
  const m = /^([0-9a-f]+):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(id ?? '');
  if (!m) return id;
  return `${m[1].slice(-4).padStart(4, '0')}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

/**
 * Tolerances where the values move between two readings taken a moment apart; everything
 * else must be equal. Memory used differs by the driver's reserved memory when one side
 * reads nvmlDeviceGetMemoryInfo and the other its _v2 (which leaves reserved memory out).
 */
export const TOLERANCES = {
  utilizationPoints: 15,
  powerFraction: 0.2,
  powerWatts: 15,
  temperatureCelsius: 3,
  clockFraction: 0.1,
  fanPoints: 5,
  memoryUsedMiB: (totalMiB) => Math.max(64, totalMiB * 0.02),
};

function check(rows, what, smi, ours, ok, note = '') {
  const pass = smi === null ? ours === null || ours === undefined : ours !== null && ours !== undefined && ok(smi, ours);
  rows.push({ what, smi, ours, pass, note });
}

/**
 * Compare nvidia-smi's rows with the family's devices (`snapshot.get('gpu').data.devices`).
 * @returns one row per compared figure: { what, smi, ours, pass, note }
 */
export function compareDevices(smi, devices, t = TOLERANCES) {
  const rows = [];
  rows.push({ what: 'device count', smi: smi.length, ours: devices.length, pass: smi.length === devices.length, note: '' });
  for (const s of smi) {
    const d = devices.find((x) => normalBusId(x.busId) === normalBusId(s.busId)) ?? devices.find((x) => x.index === s.index);
    const p = `gpu ${s.index}`;
    if (!d) {
      rows.push({ what: `${p}: found by the family`, smi: s.busId, ours: null, pass: false, note: 'no device with this bus id or index' });
      continue;
    }
    const within = (abs) => (a, b) => Math.abs(a - b) <= abs;
    const frac = (f) => (a, b) => Math.abs(a - b) <= Math.max(1, Math.abs(a) * f);
    check(rows, `${p} name`, s.name, d.name, (a, b) => a === b);
    check(rows, `${p} bus id`, normalBusId(s.busId), normalBusId(d.busId), (a, b) => a === b);
    check(rows, `${p} utilisation %`, s.utilizationPercent, d.utilizationPercent, within(t.utilizationPoints), `±${t.utilizationPoints} points`);
    const usedMiB = d.memoryUsedBytes === null ? null : d.memoryUsedBytes / MIB;
    const totalMiB = d.memoryTotalBytes === null ? null : d.memoryTotalBytes / MIB;
    const usedTol = t.memoryUsedMiB(s.memoryTotalMiB ?? 0);
    check(rows, `${p} memory used MiB`, s.memoryUsedMiB, usedMiB, within(usedTol), `±${usedTol.toFixed(0)} MiB`);
    check(rows, `${p} memory total MiB`, s.memoryTotalMiB, totalMiB, within(1), '±1 MiB (nvidia-smi rounds)');
    const watts = d.powerMilliwatts === null ? null : d.powerMilliwatts / 1000;
    check(rows, `${p} power W`, s.powerWatts, watts, (a, b) => Math.abs(a - b) <= Math.max(t.powerWatts, a * t.powerFraction), `±max(${t.powerWatts} W, ${t.powerFraction * 100}%)`);
    check(rows, `${p} temperature °C`, s.temperatureCelsius, d.temperatureCelsius, within(t.temperatureCelsius), `±${t.temperatureCelsius} °C`);
    check(rows, `${p} graphics clock MHz`, s.graphicsMhz, d.clocks?.graphicsMhz ?? null, frac(t.clockFraction), `±${t.clockFraction * 100}%`);
    check(rows, `${p} SM clock MHz`, s.smMhz, d.clocks?.smMhz ?? null, frac(t.clockFraction), `±${t.clockFraction * 100}%`);
    check(rows, `${p} memory clock MHz`, s.memoryMhz, d.clocks?.memoryMhz ?? null, frac(t.clockFraction), `±${t.clockFraction * 100}%`);
    check(rows, `${p} fan %`, s.fanPercent, d.fanPercent, within(t.fanPoints), `±${t.fanPoints} points`);
  }
  return rows;
}

/**
 * The record the family must hold for a workload that tallied its own calls (workload.cu /
 * workload-dlopen.c print the tally as JSON): exact, no tolerance.
 */
export function expectedCuda(tally) {
  return {
    pid: tally.pid,
    kernelLaunches: tally.launches,
    allocations: tally.allocsOk,
    allocatedBytes: tally.allocsOk * tally.allocBytes,
    frees: tally.frees,
    copies: tally.copiesH2D + tally.copiesD2H,
    copyBytes: { hostToDevice: tally.copiesH2D * tally.copyBytes, deviceToHost: tally.copiesD2H * tally.copyBytes, deviceToDevice: 0, other: 0 },
  };
}

/** Compare the workload's tally with the family's `cuda` records: exact per figure. */
export function compareCuda(tally, cuda) {
  const want = expectedCuda(tally);
  const got = cuda.find((c) => c.pid === tally.pid);
  if (!got) return [{ what: `cuda record of pid ${tally.pid}`, smi: 'present', ours: null, pass: false, note: `the family counted nothing for the workload: is ${tally.runtime} among the runtimes it probes (bpfscope doctor)?` }];
  const rows = [];
  for (const key of ['kernelLaunches', 'allocations', 'allocatedBytes', 'frees', 'copies']) rows.push({ what: `cuda ${key}`, smi: want[key], ours: got[key], pass: want[key] === got[key], note: 'exact' });
  for (const key of Object.keys(want.copyBytes)) rows.push({ what: `cuda copyBytes.${key}`, smi: want.copyBytes[key], ours: got.copyBytes[key], pass: want.copyBytes[key] === got.copyBytes[key], note: 'exact' });
  return rows;
}

/** The rows as a fixed-width table. */
export function formatRows(rows) {
  return rows.map((r) => `${r.pass ? 'PASS' : 'FAIL'}  ${r.what.padEnd(28)} expected ${String(r.smi).padEnd(14)} got ${String(r.ours).padEnd(14)} ${r.note}`).join('\n');
}
