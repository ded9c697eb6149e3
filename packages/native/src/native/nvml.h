// JS class NvmlSession: one opened NVML library (nvml_library.h). Every NVML call's
// return code goes to JavaScript as data ({ ret, message, value }); src/nvml.ts turns
// them into figures, unavailable reasons and taxonomy errors.
#pragma once

#include <napi.h>

#include "nvml_library.h"

namespace bpfscope {

class NvmlSessionWrap : public Napi::ObjectWrap<NvmlSessionWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  // new NvmlSession(library): dlopen + dlsym + nvmlInit_v2; throws the OpenFailure as data.
  explicit NvmlSessionWrap(const Napi::CallbackInfo& info);
  ~NvmlSessionWrap() override;

 private:
  Napi::Value LibraryPath(const Napi::CallbackInfo& info);
  Napi::Value Closed(const Napi::CallbackInfo& info);
  Napi::Value DriverVersion(const Napi::CallbackInfo& info);
  Napi::Value NvmlVersion(const Napi::CallbackInfo& info);
  Napi::Value DeviceCount(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value ErrorString(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  void RequireOpen(Napi::Env env, const char* op) const;
  void Shut() noexcept;
  static void CleanupHook(void* arg);

  nvml::Library lib_;
  napi_env env_ = nullptr;
  bool hooked_ = false;  // the env cleanup hook is registered
};

// Adds the NvmlSession class to the module's exports.
void RegisterNvml(Napi::Env env, Napi::Object exports);

}  // namespace bpfscope
