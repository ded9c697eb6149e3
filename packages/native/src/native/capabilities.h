#pragma once

#include <napi.h>

namespace bpfscope {

// Adds dropCapabilities() to the module's exports.
void RegisterCapabilityFunctions(Napi::Env env, Napi::Object exports);

}  // namespace bpfscope
