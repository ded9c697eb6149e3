// The part of NVIDIA's NVML C API that bpfscope calls, declared here from NVML's
// documentation (docs.nvidia.com/deploy/nvml-api) rather than taken from nvml.h, so
// that building the addon needs no CUDA toolkit. The library itself is opened with
// dlopen at run time (nvml_library.cc), never linked.
#pragma once

namespace bpfscope::nvml {

// nvmlReturn_t is a C enum: int-sized. The documented values bpfscope names:
using Return = int;
inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorInsufficientSize = 7;
inline constexpr Return kErrorFunctionNotFound = 13;

// nvmlDevice_t: an opaque handle.
struct DeviceSt;
using Device = DeviceSt*;

// Buffer sizes the documentation guarantees to be large enough.
inline constexpr unsigned kDeviceNameBufferSize = 96;          // NVML_DEVICE_NAME_V2_BUFFER_SIZE
inline constexpr unsigned kSystemDriverVersionBufferSize = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
inline constexpr unsigned kSystemNvmlVersionBufferSize = 80;   // NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE

// nvmlTemperatureSensors_t, nvmlClockType_t (C enums: int).
inline constexpr int kTemperatureGpu = 0;  // NVML_TEMPERATURE_GPU
inline constexpr int kClockGraphics = 0;   // NVML_CLOCK_GRAPHICS
inline constexpr int kClockSm = 1;         // NVML_CLOCK_SM
inline constexpr int kClockMem = 2;        // NVML_CLOCK_MEM

// NVML_VALUE_NOT_AVAILABLE: what usedGpuMemory holds when the driver cannot say.
inline constexpr unsigned long long kValueNotAvailable = ~0ULL;

// nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it.
struct PciInfo {
  char busIdLegacy[16];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;  // device id << 16 | vendor id
  unsigned int pciSubSystemId;
  char busId[32];  // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE: "domain:bus:device.function"
};

// nvmlUtilization_t: percent of the last sample period.
struct Utilization {
  unsigned int gpu;
  unsigned int memory;
};

// nvmlMemory_t (v1): bytes.
struct Memory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

// nvmlProcessInfo_t as nvmlDeviceGetComputeRunningProcesses_v3 fills it.
struct ProcessInfo {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
};

static_assert(sizeof(PciInfo) == 68, "nvmlPciInfo_t is 68 bytes");
static_assert(sizeof(Memory) == 24, "nvmlMemory_t is 24 bytes");
static_assert(sizeof(ProcessInfo) == 24, "nvmlProcessInfo_t is 24 bytes on LP64");

// The functions, by their documented signatures.
struct Api {
  Return (*init)();                                       // nvmlInit_v2
  Return (*shutdown)();                                   // nvmlShutdown
  const char* (*errorString)(Return);                     // nvmlErrorString
  Return (*systemGetDriverVersion)(char*, unsigned int);  // nvmlSystemGetDriverVersion
  Return (*systemGetNvmlVersion)(char*, unsigned int);    // nvmlSystemGetNVMLVersion
  Return (*deviceGetCount)(unsigned int*);                // nvmlDeviceGetCount_v2
  Return (*deviceGetHandleByIndex)(unsigned int, Device*);  // nvmlDeviceGetHandleByIndex_v2
  Return (*deviceGetName)(Device, char*, unsigned int);   // nvmlDeviceGetName
  Return (*deviceGetPciInfo)(Device, PciInfo*);           // nvmlDeviceGetPciInfo_v3
  Return (*deviceGetUtilizationRates)(Device, Utilization*);
  Return (*deviceGetMemoryInfo)(Device, Memory*);
  Return (*deviceGetPowerUsage)(Device, unsigned int*);   // mW
  Return (*deviceGetTemperature)(Device, int, unsigned int*);  // °C
  Return (*deviceGetClockInfo)(Device, int, unsigned int*);    // MHz
  Return (*deviceGetFanSpeed)(Device, unsigned int*);     // percent
  // nvmlDeviceGetComputeRunningProcesses_v3; null when the library predates it.
  Return (*deviceGetComputeRunningProcesses)(Device, unsigned int*, ProcessInfo*);
};

}  // namespace bpfscope::nvml
