// The C allocator's settings of the whole process: glibc's mmap threshold, pinned
// on request by a process whose job is collecting (see allocator.ts).
#include "allocator.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace bpfscope {
namespace {

// pinMmapThreshold(bytes) -> bool: mallopt(M_MMAP_THRESHOLD, bytes), which also
// turns off glibc's dynamic threshold; false where there is no glibc or it refused.
Napi::Value PinMmapThreshold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "pinMmapThreshold(bytes: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
#ifdef __GLIBC__
  const int bytes = info[0].As<Napi::Number>().Int32Value();
  return Napi::Boolean::New(env, mallopt(M_MMAP_THRESHOLD, bytes) == 1);
#else
  return Napi::Boolean::New(env, false);
#endif
}

}  // namespace

void RegisterAllocatorFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("pinMmapThreshold", Napi::Function::New(env, PinMmapThreshold, "pinMmapThreshold"));
}

}  // namespace bpfscope
