#include "nvml_library.h"

#include <dlfcn.h>
#include <link.h>

namespace bpfscope::nvml {
namespace {

std::string LastDlError() {
  const char* text = dlerror();
  return text != nullptr ? text : "unknown dynamic linker error";
}

// dlsym into a typed function pointer; false when the symbol is absent.
template <typename F>
bool Resolve(void* handle, const char* name, F& out) {
  dlerror();
  void* symbol = dlsym(handle, name);
  out = reinterpret_cast<F>(symbol);
  return symbol != nullptr;
}

}  // namespace

bool Library::Open(const std::string& name, OpenFailure& failure) {
  Close();
  dlerror();
  handle_ = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    failure = OpenFailure{"NVML_LIBRARY_NOT_FOUND", "dlopen", "", LastDlError(), kSuccess, "", ""};
    return false;
  }
  link_map* map = nullptr;
  path_ = dlinfo(handle_, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name[0] != '\0' ? map->l_name : name;

  const char* missing = nullptr;
  std::string missingText;
  auto need = [&](const char* symbol, auto& slot) {
    if (missing == nullptr && !Resolve(handle_, symbol, slot)) {
      missing = symbol;
      missingText = LastDlError();
    }
  };
  need("nvmlInit_v2", api_.init);
  need("nvmlShutdown", api_.shutdown);
  need("nvmlErrorString", api_.errorString);
  need("nvmlSystemGetDriverVersion", api_.systemGetDriverVersion);
  need("nvmlSystemGetNVMLVersion", api_.systemGetNvmlVersion);
  need("nvmlDeviceGetCount_v2", api_.deviceGetCount);
  need("nvmlDeviceGetHandleByIndex_v2", api_.deviceGetHandleByIndex);
  need("nvmlDeviceGetName", api_.deviceGetName);
  need("nvmlDeviceGetPciInfo_v3", api_.deviceGetPciInfo);
  need("nvmlDeviceGetUtilizationRates", api_.deviceGetUtilizationRates);
  need("nvmlDeviceGetMemoryInfo", api_.deviceGetMemoryInfo);
  need("nvmlDeviceGetPowerUsage", api_.deviceGetPowerUsage);
  need("nvmlDeviceGetTemperature", api_.deviceGetTemperature);
  need("nvmlDeviceGetClockInfo", api_.deviceGetClockInfo);
  need("nvmlDeviceGetFanSpeed", api_.deviceGetFanSpeed);
  if (missing != nullptr) {
    failure = OpenFailure{"NVML_SYMBOL_MISSING", "dlsym", missing, missingText, kSuccess, "", path_};
    Close();
    return false;
  }
  // Newer than the rest (drivers before it have only the v1/v2 layouts): optional,
  // its absence makes the process lists unavailable, not the library.
  Resolve(handle_, "nvmlDeviceGetComputeRunningProcesses_v3", api_.deviceGetComputeRunningProcesses);

  const Return ret = api_.init();
  if (ret != kSuccess) {
    failure = OpenFailure{"NVML_CALL_FAILED", "nvmlInit_v2", "", "", ret, ErrorString(ret), path_};
    Close();
    return false;
  }
  initialized_ = true;
  return true;
}

void Library::Close() noexcept {
  if (initialized_ && api_.shutdown != nullptr) api_.shutdown();
  initialized_ = false;
  if (handle_ != nullptr) dlclose(handle_);
  handle_ = nullptr;
  api_ = Api{};
}

std::string Library::ErrorString(Return code) const {
  const char* text = api_.errorString != nullptr ? api_.errorString(code) : nullptr;
  if (text == nullptr || text[0] == '\0') return "NVML return code " + std::to_string(code);
  return text;
}

}  // namespace bpfscope::nvml
