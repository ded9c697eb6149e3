// Module-level functions: libbpf version, possible CPUs, program/map type probes.
#pragma once

#include <napi.h>

namespace bpfscope {

void RegisterProbes(Napi::Env env, Napi::Object exports);

}  // namespace bpfscope
