#pragma once

#include <napi.h>

namespace bpfscope {

// Adds pinMmapThreshold() to the module's exports.
void RegisterAllocatorFunctions(Napi::Env env, Napi::Object exports);

}  // namespace bpfscope
