// Helper probes and the `tracing` program type probe that libbpf 1.1 lacks.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

namespace bpfscope {

// Adds helperNames() and probeHelper() to the exports.
void RegisterHelperProbes(Napi::Env env, Napi::Object exports);

// libbpf_probe_bpf_prog_type, with a real tp_btf load for `tracing`: 1, 0 or a negative errno.
int ProbeProgTypeWithTracing(bpf_prog_type type);

}  // namespace bpfscope
