// JS class BpfMap: element operations on one map of a loaded object. Sizes are
// checked in TypeScript first; the checks here only keep the kernel from
// reading or writing past a buffer.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>

#include "object_state.h"

namespace bpfscope {

bool IsPerCpu(bpf_map_type type);

// Bytes one lookup returns: value_size, or for per-CPU maps value_size rounded
// up to 8 times the number of possible CPUs.
size_t EntrySize(const bpf_map* map);

Napi::Object DescribeMap(Napi::Env env, const bpf_map* map);

Napi::Object NewMap(Napi::Env env, const std::shared_ptr<ObjectState>& object, bpf_map* map);

class BpfMapWrap : public Napi::ObjectWrap<BpfMapWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfMapWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Lookup(const Napi::CallbackInfo& info);
  void Update(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value LookupBatch(const Napi::CallbackInfo& info);  // map_batch.cc
  Napi::Value ReadArray(const Napi::CallbackInfo& info);    // map_batch.cc

  // The map's fd, or throws CLOSED / BUSY / MAP_OPERATION_FAILED (not loaded).
  int Fd(Napi::Env env, const char* op) const;
  Napi::Buffer<uint8_t> Bytes(Napi::Env env, const Napi::Value& value, size_t expected, const char* what,
                              const char* op) const;
  [[noreturn]] void Fail(Napi::Env env, const char* op, int err, const std::string& message) const;

  std::shared_ptr<ObjectState> state_;
  bpf_map* map_ = nullptr;
  std::string name_;
};

}  // namespace bpfscope
