// BpfObject methods beyond load and attach: the object's BTF, the initial
// value of global-data maps (how .rodata constants are set before load),
// per-program run statistics and pinning a program in bpffs.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "errors.h"
#include "object.h"
#include "program_info.h"

namespace bpfscope {
namespace {

bpf_map* FindMap(Napi::Env env, bpf_object* obj, const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, usage);
  const std::string name = info[0].As<Napi::String>();
  // Also finds global-data maps by their section name (".rodata").
  bpf_map* map = bpf_object__find_map_by_name(obj, name.c_str());
  if (map == nullptr) ThrowInvalid(env, "no map named " + name);
  return map;
}

}  // namespace

// The raw BTF of the object as libbpf finalized it at open (DATASEC sizes and
// variable offsets filled in), or undefined when the object has none.
Napi::Value BpfObjectWrap::Btf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "btf__raw_data");
  const btf* types = bpf_object__btf(state_->obj);
  if (types == nullptr) return env.Undefined();
  __u32 size = 0;
  const void* raw = btf__raw_data(types, &size);
  if (raw == nullptr) return env.Undefined();
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, size);
  std::memcpy(out.Data(), raw, size);
  return out;
}

// initialValue(map): a copy of a global-data map's contents, or undefined.
Napi::Value BpfObjectWrap::InitialValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_map__initial_value");
  bpf_map* map = FindMap(env, state_->obj, info, "initialValue(map: string)");
  size_t size = 0;
  const void* data = bpf_map__initial_value(map, &size);
  if (data == nullptr) return env.Undefined();
  return Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t*>(data), size);
}

// setInitialValue(map, bytes): replaces a global-data map's contents before load.
void BpfObjectWrap::SetInitialValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_map__set_initial_value");
  bpf_map* map = FindMap(env, state_->obj, info, "setInitialValue(map: string, bytes: Buffer)");
  if (info.Length() < 2 || !info[1].IsBuffer()) ThrowInvalid(env, "setInitialValue(map: string, bytes: Buffer)");
  auto bytes = info[1].As<Napi::Buffer<uint8_t>>();
  const int ret = bpf_map__set_initial_value(map, bytes.Data(), bytes.Length());
  if (ret != 0) {
    ThrowFailure(env, Failure{kLoadFailed, "bpf_map__set_initial_value", PositiveErrno(ret),
                              std::string("cannot set the initial value of ") + bpf_map__name(map) +
                                  (state_->loaded ? ": the object is already loaded" : ""),
                              ""});
  }
}

// programStats(): DescribeProgramFd of every loaded program.
Napi::Value BpfObjectWrap::ProgramStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_obj_get_info_by_fd");
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_program* prog = nullptr;
  while ((prog = bpf_object__next_program(state_->obj, prog)) != nullptr) {
    const int fd = bpf_program__fd(prog);
    if (fd < 0) continue;
    Napi::Object stats = DescribeProgramFd(env, fd, kLoadFailed);
    stats.Set("program", bpf_program__name(prog));
    out.Set(i++, stats);
  }
  return out;
}

// pinProgram(program, path)
void BpfObjectWrap::PinProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_obj_pin");
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    ThrowInvalid(env, "pinProgram(program: string, path: string)");
  }
  bpf_program* prog = FindProgram(env, info[0].As<Napi::String>(), "bpf_obj_pin");
  const std::string path = info[1].As<Napi::String>();
  const int fd = bpf_program__fd(prog);
  if (fd < 0) {
    ThrowFailure(env, Failure{kLoadFailed, "bpf_obj_pin", EBADF,
                              std::string("program ") + bpf_program__name(prog) + " is not loaded", ""});
  }
  if (bpf_obj_pin(fd, path.c_str()) != 0) {
    ThrowFailure(env, Failure{kLoadFailed, "bpf_obj_pin", PositiveErrno(0),
                              std::string("cannot pin program ") + bpf_program__name(prog) + " at " + path, ""});
  }
}

}  // namespace bpfscope
