// JS class BpfObject: one opened (and later loaded) bpf_object.
#pragma once

#include <napi.h>

#include <memory>

#include "object_state.h"

namespace bpfscope {

// Marks BpfObject instances, so that a native function handed "an object" can
// check that it really is one before unwrapping it (ring_buffer.cc).
inline constexpr napi_type_tag kBpfObjectTag = {0x6270667363307065ULL, 0x6f626a6563740001ULL};

class BpfObjectWrap : public Napi::ObjectWrap<BpfObjectWrap> {
 public:
  static Napi::Function Init(Napi::Env env);

  // new BpfObject(image: Buffer, name: string, btfPath?: string)
  explicit BpfObjectWrap(const Napi::CallbackInfo& info);

  const std::shared_ptr<ObjectState>& state() const { return state_; }

 private:
  Napi::Value Name(const Napi::CallbackInfo& info);
  Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value Programs(const Napi::CallbackInfo& info);
  Napi::Value Maps(const Napi::CallbackInfo& info);
  void SetAutoload(const Napi::CallbackInfo& info);
  Napi::Value Attach(const Napi::CallbackInfo& info);
  Napi::Value AttachUprobe(const Napi::CallbackInfo& info);
  Napi::Value AttachPerfEvent(const Napi::CallbackInfo& info);
  Napi::Value Map(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value Btf(const Napi::CallbackInfo& info);              // object_data.cc
  Napi::Value InitialValue(const Napi::CallbackInfo& info);     // object_data.cc
  void SetInitialValue(const Napi::CallbackInfo& info);         // object_data.cc
  Napi::Value ProgramStats(const Napi::CallbackInfo& info);     // object_data.cc
  void PinProgram(const Napi::CallbackInfo& info);              // object_data.cc

  // Throws CLOSED or BUSY unless JS may use the object now.
  void RequireUsable(Napi::Env env, const char* op) const;
  bpf_program* FindProgram(Napi::Env env, const std::string& name, const char* op) const;

  std::shared_ptr<ObjectState> state_;
};

}  // namespace bpfscope
