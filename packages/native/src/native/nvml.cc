#include "nvml.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "errors.h"

namespace bpfscope {
namespace {

using nvml::Return;

// { ret, message? }: message (nvmlErrorString) only for a failed call.
Napi::Object Result(Napi::Env env, const nvml::Library& lib, Return ret) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("ret", ret);
  if (ret != nvml::kSuccess) out.Set("message", lib.ErrorString(ret));
  return out;
}

template <typename V>
Napi::Object Result(Napi::Env env, const nvml::Library& lib, Return ret, V value) {
  Napi::Object out = Result(env, lib, ret);
  if (ret == nvml::kSuccess) out.Set("value", value);
  return out;
}

// A string NVML wrote into `buf`, cut at the buffer's end should it not be terminated.
Napi::String Text(Napi::Env env, const char* buf, size_t size) { return Napi::String::New(env, buf, strnlen(buf, size)); }

Napi::Value Bytes(Napi::Env env, unsigned long long v) {
  // Exact below 2^53 bytes (8 PiB); NVML_VALUE_NOT_AVAILABLE becomes null.
  if (v == nvml::kValueNotAvailable) return env.Null();
  return Napi::Number::New(env, static_cast<double>(v));
}

Napi::Object Unsigned(Napi::Env env, const nvml::Library& lib, Return ret, unsigned int v) {
  return Result(env, lib, ret, Napi::Number::New(env, v));
}

Napi::Object Processes(Napi::Env env, const nvml::Library& lib, nvml::Device dev) {
  const auto fn = lib.api().deviceGetComputeRunningProcesses;
  if (fn == nullptr) {
    Napi::Object out = Napi::Object::New(env);
    out.Set("ret", nvml::kErrorFunctionNotFound);
    out.Set("message", "nvmlDeviceGetComputeRunningProcesses_v3 is not exported by " + lib.path());
    return out;
  }
  std::vector<nvml::ProcessInfo> infos;
  unsigned int count = 0;
  Return ret = fn(dev, &count, nullptr);
  // Processes may start between asking for the count and for the list: a few tries,
  // each with room for some more than the count NVML gave.
  for (int attempt = 0; ret == nvml::kErrorInsufficientSize && attempt < 4; ++attempt) {
    infos.assign(static_cast<size_t>(count) + 8, nvml::ProcessInfo{});
    count = static_cast<unsigned int>(infos.size());
    ret = fn(dev, &count, infos.data());
  }
  if (ret != nvml::kSuccess) return Result(env, lib, ret);
  const size_t n = std::min<size_t>(count, infos.size());
  Napi::Array list = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("pid", infos[i].pid);
    p.Set("usedGpuMemory", Bytes(env, infos[i].usedGpuMemory));
    p.Set("gpuInstanceId", infos[i].gpuInstanceId);
    p.Set("computeInstanceId", infos[i].computeInstanceId);
    list.Set(static_cast<uint32_t>(i), p);
  }
  return Result(env, lib, ret, list);
}

}  // namespace

Napi::Function NvmlSessionWrap::Init(Napi::Env env) {
  return DefineClass(env, "NvmlSession",
                     {
                         InstanceAccessor<&NvmlSessionWrap::LibraryPath>("libraryPath"),
                         InstanceAccessor<&NvmlSessionWrap::Closed>("closed"),
                         InstanceMethod<&NvmlSessionWrap::DriverVersion>("driverVersion"),
                         InstanceMethod<&NvmlSessionWrap::NvmlVersion>("nvmlVersion"),
                         InstanceMethod<&NvmlSessionWrap::DeviceCount>("deviceCount"),
                         InstanceMethod<&NvmlSessionWrap::Device>("device"),
                         InstanceMethod<&NvmlSessionWrap::ErrorString>("errorString"),
                         InstanceMethod<&NvmlSessionWrap::Close>("close"),
                     });
}

NvmlSessionWrap::NvmlSessionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NvmlSessionWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, "new NvmlSession(library: string)");
  const std::string name = info[0].As<Napi::String>();
  nvml::OpenFailure failure;
  if (!lib_.Open(name, failure)) {
    Napi::Error error = Napi::Error::New(env, failure.op + " failed for " + name);
    Napi::Object obj = error.Value();
    obj.Set("code", failure.kind);
    obj.Set("op", failure.op);
    obj.Set("library", name);
    obj.Set("path", failure.path);
    obj.Set("symbol", failure.symbol);
    obj.Set("dlerror", failure.dlerror);
    obj.Set("nvmlReturn", failure.nvmlReturn);
    obj.Set("nvmlMessage", failure.nvmlMessage);
    throw error;
  }
  env_ = env;
  hooked_ = napi_add_env_cleanup_hook(env, CleanupHook, this) == napi_ok;
}

NvmlSessionWrap::~NvmlSessionWrap() { Shut(); }

void NvmlSessionWrap::Shut() noexcept {
  if (hooked_) napi_remove_env_cleanup_hook(env_, CleanupHook, this);
  hooked_ = false;
  lib_.Close();
}

// The env goes away before this object was closed or collected: shut NVML down now
// (the hook is already off the env's list when it runs).
void NvmlSessionWrap::CleanupHook(void* arg) {
  auto* self = static_cast<NvmlSessionWrap*>(arg);
  self->hooked_ = false;
  self->lib_.Close();
}

void NvmlSessionWrap::RequireOpen(Napi::Env env, const char* op) const {
  if (!lib_.IsOpen()) ThrowFailure(env, Failure{kClosed, op, 0, "the NVML session is closed", ""});
}

Napi::Value NvmlSessionWrap::LibraryPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), lib_.path()); }

Napi::Value NvmlSessionWrap::Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !lib_.IsOpen()); }

Napi::Value NvmlSessionWrap::DriverVersion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "nvmlSystemGetDriverVersion");
  char buf[nvml::kSystemDriverVersionBufferSize] = {0};
  const Return ret = lib_.api().systemGetDriverVersion(buf, sizeof(buf));
  return Result(env, lib_, ret, Text(env, buf, sizeof(buf)));
}

Napi::Value NvmlSessionWrap::NvmlVersion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "nvmlSystemGetNVMLVersion");
  char buf[nvml::kSystemNvmlVersionBufferSize] = {0};
  const Return ret = lib_.api().systemGetNvmlVersion(buf, sizeof(buf));
  return Result(env, lib_, ret, Text(env, buf, sizeof(buf)));
}

Napi::Value NvmlSessionWrap::DeviceCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "nvmlDeviceGetCount_v2");
  unsigned int count = 0;
  const Return ret = lib_.api().deviceGetCount(&count);
  return Unsigned(env, lib_, ret, count);
}

// device(index): { handle, name, pci, utilization, memory, power, temperature,
// clockGraphics, clockSm, clockMemory, fan, processes }, each { ret, message?, value? };
// only `handle` when nvmlDeviceGetHandleByIndex_v2 failed.
Napi::Value NvmlSessionWrap::Device(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "nvmlDeviceGetHandleByIndex_v2");
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowInvalid(env, "device(index: number)");
  const nvml::Api& api = lib_.api();
  Napi::Object out = Napi::Object::New(env);
  nvml::Device dev = nullptr;
  Return ret = api.deviceGetHandleByIndex(info[0].As<Napi::Number>().Uint32Value(), &dev);
  out.Set("handle", Result(env, lib_, ret));
  if (ret != nvml::kSuccess) return out;

  char name[nvml::kDeviceNameBufferSize] = {0};
  ret = api.deviceGetName(dev, name, sizeof(name));
  out.Set("name", Result(env, lib_, ret, Text(env, name, sizeof(name))));

  nvml::PciInfo pci{};
  ret = api.deviceGetPciInfo(dev, &pci);
  Napi::Object pciValue = Napi::Object::New(env);
  pciValue.Set("busId", Text(env, pci.busId, sizeof(pci.busId)));
  pciValue.Set("domain", pci.domain);
  pciValue.Set("bus", pci.bus);
  pciValue.Set("device", pci.device);
  pciValue.Set("pciDeviceId", pci.pciDeviceId);
  pciValue.Set("pciSubSystemId", pci.pciSubSystemId);
  out.Set("pci", Result(env, lib_, ret, pciValue));

  nvml::Utilization util{};
  ret = api.deviceGetUtilizationRates(dev, &util);
  Napi::Object utilValue = Napi::Object::New(env);
  utilValue.Set("gpu", util.gpu);
  utilValue.Set("memory", util.memory);
  out.Set("utilization", Result(env, lib_, ret, utilValue));

  nvml::Memory mem{};
  ret = api.deviceGetMemoryInfo(dev, &mem);
  Napi::Object memValue = Napi::Object::New(env);
  memValue.Set("total", static_cast<double>(mem.total));
  memValue.Set("free", static_cast<double>(mem.free));
  memValue.Set("used", static_cast<double>(mem.used));
  out.Set("memory", Result(env, lib_, ret, memValue));

  unsigned int v = 0;
  ret = api.deviceGetPowerUsage(dev, &v);
  out.Set("power", Unsigned(env, lib_, ret, v));
  v = 0;
  ret = api.deviceGetTemperature(dev, nvml::kTemperatureGpu, &v);
  out.Set("temperature", Unsigned(env, lib_, ret, v));
  v = 0;
  ret = api.deviceGetClockInfo(dev, nvml::kClockGraphics, &v);
  out.Set("clockGraphics", Unsigned(env, lib_, ret, v));
  v = 0;
  ret = api.deviceGetClockInfo(dev, nvml::kClockSm, &v);
  out.Set("clockSm", Unsigned(env, lib_, ret, v));
  v = 0;
  ret = api.deviceGetClockInfo(dev, nvml::kClockMem, &v);
  out.Set("clockMemory", Unsigned(env, lib_, ret, v));
  v = 0;
  ret = api.deviceGetFanSpeed(dev, &v);
  out.Set("fan", Unsigned(env, lib_, ret, v));
  out.Set("processes", Processes(env, lib_, dev));
  return out;
}

Napi::Value NvmlSessionWrap::ErrorString(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env, "nvmlErrorString");
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowInvalid(env, "errorString(code: number)");
  return Napi::String::New(env, lib_.ErrorString(info[0].As<Napi::Number>().Int32Value()));
}

void NvmlSessionWrap::Close(const Napi::CallbackInfo&) { Shut(); }

void RegisterNvml(Napi::Env env, Napi::Object exports) { exports.Set("NvmlSession", NvmlSessionWrap::Init(env)); }

}  // namespace bpfscope
