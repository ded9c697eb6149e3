#include "probes.h"

#include <bpf/libbpf.h>

#include <string>

#include "errors.h"
#include "log_capture.h"
#include "probes_helpers.h"

namespace bpfscope {
namespace {

// libbpf names every enum value it knows; the first unnamed value ends the list.
template <typename Enum>
Napi::Array Names(Napi::Env env, const char* (*nameOf)(Enum)) {
  Napi::Array out = Napi::Array::New(env);
  for (uint32_t i = 0;; ++i) {
    const char* name = nameOf(static_cast<Enum>(i));
    if (name == nullptr) break;
    out.Set(i, name);
  }
  return out;
}

template <typename Enum>
bool Find(const std::string& wanted, const char* (*nameOf)(Enum), Enum* found) {
  for (uint32_t i = 0;; ++i) {
    const char* name = nameOf(static_cast<Enum>(i));
    if (name == nullptr) return false;
    if (wanted == name) {
      *found = static_cast<Enum>(i);
      return true;
    }
  }
}

// 1 supported, 0 not, a negative errno when the probe itself failed, or
// undefined for a name libbpf does not know.
template <typename Enum, typename ProbeFn>
Napi::Value Probe(const Napi::CallbackInfo& info, const char* (*nameOf)(Enum), ProbeFn probe) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, "expected a type name");
  Enum type;
  if (!Find<Enum>(info[0].As<Napi::String>(), nameOf, &type)) return env.Undefined();
  LogCapture capture;
  return Napi::Number::New(env, probe(type));
}

Napi::Value LibbpfVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(),
                           std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()));
}

Napi::Value PossibleCpus(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), libbpf_num_possible_cpus());
}

}  // namespace

void RegisterProbes(Napi::Env env, Napi::Object exports) {
  exports.Set("libbpfVersion", Napi::Function::New(env, LibbpfVersion, "libbpfVersion"));
  exports.Set("possibleCpus", Napi::Function::New(env, PossibleCpus, "possibleCpus"));
  exports.Set("progTypeNames", Napi::Function::New(
                                   env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                                     return Names<bpf_prog_type>(info.Env(), libbpf_bpf_prog_type_str);
                                   },
                                   "progTypeNames"));
  exports.Set("mapTypeNames", Napi::Function::New(
                                  env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                                    return Names<bpf_map_type>(info.Env(), libbpf_bpf_map_type_str);
                                  },
                                  "mapTypeNames"));
  exports.Set("probeProgType", Napi::Function::New(
                                   env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                                     return Probe<bpf_prog_type>(info, libbpf_bpf_prog_type_str,
                                                                 ProbeProgTypeWithTracing);
                                   },
                                   "probeProgType"));
  exports.Set("probeMapType", Napi::Function::New(
                                  env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                                    return Probe<bpf_map_type>(info, libbpf_bpf_map_type_str, [](bpf_map_type t) {
                                      return libbpf_probe_bpf_map_type(t, nullptr);
                                    });
                                  },
                                  "probeMapType"));
  RegisterHelperProbes(env, exports);
}

}  // namespace bpfscope
