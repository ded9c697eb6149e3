// The shapes of systeminformation 5's results (its lib/index.d.ts, namespace
// Systeminformation), with the same field names. Where bpfscope cannot measure a field
// the type says `| null` even when systeminformation's says `number`: the facade reports
// such a field as null instead of inventing a value (the README lists them per function).

/** Load of one CPU over the interval since the previous {@link currentLoad} call, as systeminformation's `CurrentLoadCpuData`. */
export interface SiCurrentLoadCpuData {
  /** Busy share, percent (user + nice + system + irq + softirq + steal). */
  load: number;
  /** User-mode share, percent (guest time included, as the kernel counts it). */
  loadUser: number;
  /** Kernel-mode share, percent. */
  loadSystem: number;
  /** User mode at positive nice, percent. */
  loadNice: number;
  /** Idle share, percent. */
  loadIdle: number;
  /** Interrupt share (hard and soft interrupts), percent. */
  loadIrq: number;
  /** Steal share, percent; null when the CPU source cannot measure steal. */
  loadSteal: number | null;
  /** Guest share: always null (the cpu family counts guest time inside user time and does not split it out). */
  loadGuest: number | null;
  /** Busy time over the interval, ms. */
  rawLoad: number;
  /** User time over the interval, ms. */
  rawLoadUser: number;
  /** System time over the interval, ms. */
  rawLoadSystem: number;
  /** Nice time over the interval, ms. */
  rawLoadNice: number;
  /** Idle time over the interval, ms. */
  rawLoadIdle: number;
  /** Interrupt time over the interval, ms. */
  rawLoadIrq: number;
  /** Steal time over the interval, ms; null as loadSteal. */
  rawLoadSteal: number | null;
  /** Always null, as loadGuest. */
  rawLoadGuest: number | null;
}

/** The whole machine's load, as systeminformation's `CurrentLoadData`. */
export interface SiCurrentLoadData {
  /** The largest of the 1, 5 and 15 minute load averages divided by the number of CPUs, two decimals; null without /proc/loadavg. */
  avgLoad: number | null;
  /** Busy share of all CPUs over the interval, percent. */
  currentLoad: number;
  /** User share, percent. */
  currentLoadUser: number;
  /** System share, percent. */
  currentLoadSystem: number;
  /** Nice share, percent. */
  currentLoadNice: number;
  /** Idle share, percent. */
  currentLoadIdle: number;
  /** Interrupt share, percent. */
  currentLoadIrq: number;
  /** Steal share, percent; null when not measured. */
  currentLoadSteal: number | null;
  /** Always null (see {@link SiCurrentLoadCpuData.loadGuest}). */
  currentLoadGuest: number | null;
  /** Busy time of all CPUs over the interval, ms. */
  rawCurrentLoad: number;
  /** User time, ms. */
  rawCurrentLoadUser: number;
  /** System time, ms. */
  rawCurrentLoadSystem: number;
  /** Nice time, ms. */
  rawCurrentLoadNice: number;
  /** Idle time, ms. */
  rawCurrentLoadIdle: number;
  /** Interrupt time, ms. */
  rawCurrentLoadIrq: number;
  /** Steal time, ms; null when not measured. */
  rawCurrentLoadSteal: number | null;
  /** Always null. */
  rawCurrentLoadGuest: number | null;
  /** One entry per CPU with counters, in CPU order. */
  cpus: SiCurrentLoadCpuData[];
}

/** Memory, bytes, as systeminformation's `MemData` (from /proc/meminfo). */
export interface SiMemData {
  /** MemTotal. */
  total: number;
  /** MemFree. */
  free: number;
  /** total − free. */
  used: number;
  /** total − available: memory the kernel cannot hand out without reclaiming hard. */
  active: number;
  /** MemAvailable (MemFree + buffcache on kernels without it). */
  available: number;
  /** Buffers. */
  buffers: number;
  /** Cached. */
  cached: number;
  /** Slab. */
  slab: number;
  /** buffers + cached + slab. */
  buffcache: number;
  /** SReclaimable. */
  reclaimable: number;
  /** SwapTotal. */
  swaptotal: number;
  /** swaptotal − swapfree. */
  swapused: number;
  /** SwapFree. */
  swapfree: number;
  /** Writeback; null when the kernel does not print it. */
  writeback: number | null;
  /** Dirty; null when the kernel does not print it. */
  dirty: number | null;
}

/** One process, as systeminformation's `ProcessesProcessData`. */
export interface SiProcessData {
  /** Process ID. */
  pid: number;
  /** Parent process ID. */
  parentPid: number;
  /** Program name (the command's base name; for a kernel thread its name up to the first `/`). */
  name: string;
  /** Share of all CPUs' time used over the interval since the previous {@link processes} call (on the first call, and for a process new since the previous one: its CPU time since it started over all CPUs' time since boot, as systeminformation does), percent; at most 100. Null when the number of online CPUs, or on the first call the boot time, cannot be read. */
  cpu: number | null;
  /** User-mode part of cpu, percent; null as cpu. */
  cpuu: number | null;
  /** Kernel-mode part of cpu, percent; null as cpu. */
  cpus: number | null;
  /** Resident memory as a percent of MemTotal. */
  mem: number;
  /** Priority as `ps -o pri` shows it (39 − the kernel's priority: 19 at nice 0, higher runs first). */
  priority: number;
  /** Virtual memory size, KiB. */
  memVsz: number;
  /** Resident set size, KiB. */
  memRss: number;
  /** Nice value. */
  nice: number;
  /** Start time, local time, `YYYY-MM-DD HH:MM:SS`; null when the boot time is unknown. */
  started: string | null;
  /** `running`, `sleeping`, `blocked`, `stopped`, `zombie`, `dead`, `paging` or `unknown`, from the one-letter state. */
  state: string;
  /** Always null: the proc family does not carry the controlling terminal. */
  tty: string | null;
  /** Name of the effective user (from /etc/passwd), or the numeric ID when it has no entry. */
  user: string;
  /** The program: the base name of argv[0], or the command name (comm) for kernel threads and zombies. */
  command: string;
  /** The arguments after argv[0], joined with spaces. */
  params: string;
  /** The directory of argv[0] when it has one, else empty. */
  path: string;
}

/** The process table, as systeminformation's `ProcessesData`. */
export interface SiProcessesData {
  /** Processes listed. */
  all: number;
  /** Those in state `running`. */
  running: number;
  /** Those in state `blocked` (uninterruptible sleep). */
  blocked: number;
  /** Those in state `sleeping`. */
  sleeping: number;
  /** Those in any other state (stopped, zombie, idle kernel threads, ...). */
  unknown: number;
  /** The processes, in PID order. */
  list: SiProcessData[];
}

/** Counters of one interface, as systeminformation's `NetworkStatsData`. */
export interface SiNetworkStatsData {
  /** Interface name. */
  iface: string;
  /** /sys/class/net/&lt;iface&gt;/operstate (`up`, `down`, `unknown`, ...). */
  operstate: string;
  /** Bytes received since the interface came up; null for an interface that does not exist. */
  rx_bytes: number | null;
  /** Received packets dropped; null as rx_bytes. */
  rx_dropped: number | null;
  /** Receive errors; null as rx_bytes. */
  rx_errors: number | null;
  /** Bytes sent; null as rx_bytes. */
  tx_bytes: number | null;
  /** Sent packets dropped; null as rx_bytes. */
  tx_dropped: number | null;
  /** Transmit errors; null as rx_bytes. */
  tx_errors: number | null;
  /** Bytes received per second since the previous call for this interface; null on the first. */
  rx_sec: number | null;
  /** Bytes sent per second since the previous call; null on the first. */
  tx_sec: number | null;
  /** Time since the previous call for this interface, ms (0 on the first). */
  ms: number;
}

/** One socket, as systeminformation's `NetworkConnectionsData` (what `netstat -tunap` lists). */
export interface SiNetworkConnectionsData {
  /** `tcp`, `tcp6`, `udp` or `udp6`. */
  protocol: string;
  /** Local address. */
  localAddress: string;
  /** Local port, as a string. */
  localPort: string;
  /** Remote address (`0.0.0.0` / `::` when not connected). */
  peerAddress: string;
  /** Remote port, or `*` when not connected. */
  peerPort: string;
  /** The kernel's state name (`ESTABLISHED`, `LISTEN`, `TIME_WAIT`, ...). */
  state: string;
  /** The owning process; null when none is known. */
  pid: number | null;
  /** Its command name up to the first space or colon (as systeminformation cuts netstat's column); empty when none is known. */
  process: string;
}

/** One mounted filesystem, as systeminformation's `FsSizeData`. */
export interface SiFsSizeData {
  /** Mount source (device). */
  fs: string;
  /** Filesystem type. */
  type: string;
  /** Size, bytes. */
  size: number;
  /** Used, bytes. */
  used: number;
  /** Available to unprivileged users, bytes. */
  available: number;
  /** used / (used + available), percent, two decimals. */
  use: number;
  /** Mount point. */
  mount: string;
  /** Whether it is mounted read-write. */
  rw: boolean | null;
}

/** Block I/O of the whole disks together, as systeminformation's `DisksIoData`. */
export interface SiDisksIoData {
  /** Read requests completed (eBPF: since the facade's fs source started; procfs: since boot). */
  rIO: number;
  /** Write requests completed, counted as rIO. */
  wIO: number;
  /** rIO + wIO. */
  tIO: number;
  /** Reads per second since the previous call; null on the first. */
  rIO_sec: number | null;
  /** Writes per second since the previous call; null on the first. */
  wIO_sec: number | null;
  /** rIO_sec + wIO_sec; null on the first. */
  tIO_sec: number | null;
  /** Time read requests took, summed, ms (eBPF latency histograms); null from procfs. */
  rWaitTime: number | null;
  /** Time write requests took, summed, ms; null from procfs. */
  wWaitTime: number | null;
  /** rWaitTime + wWaitTime; null from procfs. */
  tWaitTime: number | null;
  /** Read time over the interval as a percent of it; null on the first call or from procfs. */
  rWaitPercent: number | null;
  /** Write time over the interval as a percent of it; null as rWaitPercent. */
  wWaitPercent: number | null;
  /** Both, percent; null as rWaitPercent. */
  tWaitPercent: number | null;
  /** Time since the previous call, ms (0 on the first). */
  ms: number;
}

/**
 * CPU temperatures, as systeminformation's `CpuTemperatureData`, from the thermal family (°C,
 * rounded to 0.1 as systeminformation rounds them); null or empty where the machine has no
 * such sensor.
 */
export interface SiCpuTemperatureData {
  /** The package: k10temp `Tctl` (or `Tdie`), coretemp `Package id 0`; else the mean of the cores; else a thermal zone whose type names the CPU. */
  main: number | null;
  /** Each core (coretemp `Core N`), in the family's order. */
  cores: number[];
  /** The highest of `main` and `cores`. */
  max: number | null;
  /** Thermal zones whose type starts with `acpi` (systeminformation's socket temperatures). */
  socket: number[];
  /** The first thermal zone whose type starts with `pch`. */
  chipset: number | null;
}

/**
 * One GPU, as systeminformation's `GraphicsControllerData`, from the gpu family (NVML, else
 * DRM sysfs). systeminformation's units: MiB for memory, W for power, MHz, °C, percent. A
 * figure the family cannot read here is null.
 */
export interface SiGraphicsControllerData {
  /** The PCI vendor's name (`NVIDIA Corporation`, `Advanced Micro Devices, Inc. [AMD/ATI]`, `Intel Corporation`), from the family's vendor; empty for another vendor. */
  vendor: string;
  /** The device's name (NVML), or empty when the driver gives none (DRM). */
  model: string;
  /** `PCI` for a device with a PCI address, else empty. */
  bus: string;
  /** PCI address, `domain:bus:device.function`, lower case; null when unknown. */
  busAddress: string | null;
  /** Device memory, MiB; null when the device reports none of its own. */
  vram: number | null;
  /** True for an Intel integrated GPU without memory of its own (i915 without VRAM), as systeminformation sets it. */
  vramDynamic: boolean;
  /** Device memory in total, MiB. */
  memoryTotal: number | null;
  /** Device memory in use, MiB. */
  memoryUsed: number | null;
  /** memoryTotal − memoryUsed, MiB. */
  memoryFree: number | null;
  /** Busy percent. */
  utilizationGpu: number | null;
  /** Die temperature, °C. */
  temperatureGpu: number | null;
  /** Power drawn, W. */
  powerDraw: number | null;
  /** Graphics clock, MHz. */
  clockCore: number | null;
  /** Memory clock, MHz. */
  clockMemory: number | null;
  /** Fan, percent. */
  fanSpeed: number | null;
}

/** Graphics, as systeminformation's `GraphicsData`: the GPUs of the gpu family; displays are outside bpfscope's scope. */
export interface SiGraphicsData {
  /** One per GPU the gpu family reads; empty on a machine without one. */
  controllers: SiGraphicsControllerData[];
  /** Empty: displays are outside bpfscope's scope. */
  displays: never[];
}
