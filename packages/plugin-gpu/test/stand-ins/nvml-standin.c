/*
 * A stand-in for NVIDIA's libnvidia-ml.so.1, compiled by the gpu plugin's tests
 * (gcc -shared -fPIC). It exports the NVML functions bpfscope calls, with the
 * signatures, struct layouts, constants and argument rules of NVML's documentation,
 * and answers with the fixed figures below, so that a test can compare every figure
 * bpfscope reports with the value it must be. It knows no GPU: it proves the calls,
 * layouts and unit handling, not what a real driver returns.
 *
 * Variants (-D):
 *   STANDIN_OMIT_MEMORY_INFO   nvmlDeviceGetMemoryInfo is not exported
 *   STANDIN_OMIT_PROCESSES_V3  nvmlDeviceGetComputeRunningProcesses_v3 is not exported
 *   STANDIN_INIT_RETURN=<n>    nvmlInit_v2 returns n
 *   STANDIN_FAIL_TEMPERATURE   nvmlDeviceGetTemperature returns NVML_ERROR_UNKNOWN for device 1
 *   STANDIN_FAIL_HANDLE        nvmlDeviceGetHandleByIndex_v2 returns NVML_ERROR_GPU_IS_LOST for device 1
 *   STANDIN_DEVICE_COUNT=<n>   n devices (0 or 2; default 2)
 * With NVML_STANDIN_LOG=<file> in the environment, nvmlInit_v2 and nvmlShutdown
 * append a line ("init" / "shutdown", or "shutdown before init") to that file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_UNKNOWN = 999,
};
#define NVML_TEMPERATURE_GPU 0
#define NVML_CLOCK_GRAPHICS 0
#define NVML_CLOCK_SM 1
#define NVML_CLOCK_MEM 2
#define NVML_VALUE_NOT_AVAILABLE (~0ULL)

typedef struct nvmlPciInfo_st {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;

#define MAX_PROCS 4
struct nvmlDevice_st {
  const char *name;
  const char *busId;
  unsigned int domain, bus, slot, pciDeviceId, pciSubSystemId;
  unsigned int utilGpu, utilMemory;
  unsigned long long memTotal, memUsed;
  unsigned int powerMw, tempC, clockGraphics, clockSm, clockMem;
  int fanSupported;
  unsigned int fanPercent;
  unsigned int nprocs;
  nvmlProcessInfo_t procs[MAX_PROCS];
};
typedef struct nvmlDevice_st *nvmlDevice_t;

#ifndef STANDIN_DEVICE_COUNT
#define STANDIN_DEVICE_COUNT 2
#endif
#ifndef STANDIN_INIT_RETURN
#define STANDIN_INIT_RETURN NVML_SUCCESS
#endif

static struct nvmlDevice_st devices[2] = {
  {"Stand-in GPU Alpha", "00000000:3B:00.0", 0, 0x3b, 0, 0x20b010de, 0x145f10de,
   37, 12, 42949672960ULL, 5368709120ULL, 123456, 61, 1410, 1395, 1215, 1, 44,
   2, {{4242, 5368709120ULL, 0xffffffffu, 0xffffffffu}, {4343, NVML_VALUE_NOT_AVAILABLE, 0xffffffffu, 0xffffffffu}}},
  {"Stand-in GPU Beta", "00000001:AF:00.0", 1, 0xaf, 0, 0x1eb810de, 0x12a210de,
   5, 3, 16106127360ULL, 987654321ULL, 27500, 44, 585, 590, 5001, 0, 0,
   3, {{100, 1048576ULL, 1, 2}, {200, 2097152ULL, 3, 4}, {300, 0ULL, 5, 6}}},
};
static int initCount;

static void logLine(const char *line) {
  const char *path = getenv("NVML_STANDIN_LOG");
  if (!path) return;
  FILE *f = fopen(path, "a");
  if (!f) return;
  fprintf(f, "%s\n", line);
  fclose(f);
}

/* The documented strings of the codes this stand-in returns. */
const char *nvmlErrorString(nvmlReturn_t r) {
  switch (r) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlInit_v2(void) {
  if (STANDIN_INIT_RETURN != NVML_SUCCESS) return STANDIN_INIT_RETURN;
  initCount++;
  logLine("init");
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void) {
  if (initCount == 0) {
    logLine("shutdown before init");
    return NVML_ERROR_UNINITIALIZED;
  }
  initCount--;
  logLine("shutdown");
  return NVML_SUCCESS;
}

static nvmlReturn_t copyString(const char *s, char *buf, unsigned int length) {
  if (!buf) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(s) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(buf, s, strlen(s) + 1);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
  return copyString("999.88.77", version, length);
}

nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
  if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
  return copyString("12.999.88.77", version, length);
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
  if (!count) return NVML_ERROR_INVALID_ARGUMENT;
  *count = STANDIN_DEVICE_COUNT;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (initCount == 0) return NVML_ERROR_UNINITIALIZED;
  if (!device || index >= STANDIN_DEVICE_COUNT) return NVML_ERROR_INVALID_ARGUMENT;
#ifdef STANDIN_FAIL_HANDLE
  if (index == 1) return NVML_ERROR_GPU_IS_LOST;
#endif
  *device = &devices[index];
  return NVML_SUCCESS;
}

/* Every device call: the library is initialised and the handle is one of ours. */
#define CHECK(dev, out)                                                                      \
  do {                                                                                       \
    if (initCount == 0) return NVML_ERROR_UNINITIALIZED;                                     \
    if ((dev) != &devices[0] && (dev) != &devices[1]) return NVML_ERROR_INVALID_ARGUMENT;   \
    if (!(out)) return NVML_ERROR_INVALID_ARGUMENT;                                          \
  } while (0)

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
  CHECK(d, name);
  return copyString(d->name, name, length);
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  CHECK(d, pci);
  memset(pci, 0, sizeof(*pci));
  snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.0", d->domain, d->bus, d->slot);
  pci->domain = d->domain;
  pci->bus = d->bus;
  pci->device = d->slot;
  pci->pciDeviceId = d->pciDeviceId;
  pci->pciSubSystemId = d->pciSubSystemId;
  snprintf(pci->busId, sizeof(pci->busId), "%s", d->busId);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
  CHECK(d, u);
  u->gpu = d->utilGpu;
  u->memory = d->utilMemory;
  return NVML_SUCCESS;
}

#ifndef STANDIN_OMIT_MEMORY_INFO
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  CHECK(d, m);
  m->total = d->memTotal;
  m->used = d->memUsed;
  m->free = d->memTotal - d->memUsed;
  return NVML_SUCCESS;
}
#endif

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *power) {
  CHECK(d, power);
  *power = d->powerMw;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *temp) {
  CHECK(d, temp);
  if (sensor != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
#ifdef STANDIN_FAIL_TEMPERATURE
  if (d == &devices[1]) return NVML_ERROR_UNKNOWN;
#endif
  *temp = d->tempC;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *clock) {
  CHECK(d, clock);
  switch (type) {
    case NVML_CLOCK_GRAPHICS: *clock = d->clockGraphics; return NVML_SUCCESS;
    case NVML_CLOCK_SM: *clock = d->clockSm; return NVML_SUCCESS;
    case NVML_CLOCK_MEM: *clock = d->clockMem; return NVML_SUCCESS;
    default: return NVML_ERROR_INVALID_ARGUMENT;
  }
}

nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t d, unsigned int *speed) {
  CHECK(d, speed);
  if (!d->fanSupported) return NVML_ERROR_NOT_SUPPORTED; /* passively cooled, as a data-centre card */
  *speed = d->fanPercent;
  return NVML_SUCCESS;
}

#ifndef STANDIN_OMIT_PROCESSES_V3
/* The documented size protocol: a count too small gets INSUFFICIENT_SIZE and the count needed. */
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *infoCount, nvmlProcessInfo_t *infos) {
  CHECK(d, infoCount);
  if (*infoCount < d->nprocs) {
    *infoCount = d->nprocs;
    return d->nprocs == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
  }
  if (d->nprocs > 0 && !infos) return NVML_ERROR_INVALID_ARGUMENT;
  memcpy(infos, d->procs, d->nprocs * sizeof(nvmlProcessInfo_t));
  *infoCount = d->nprocs;
  return NVML_SUCCESS;
}
#endif
