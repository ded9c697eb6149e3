// Attaching programs and the JS class BpfLink. Links belong to their object:
// dropping the JS BpfLink keeps the program attached; destroy() or closing the
// object detaches it.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "object_state.h"

namespace bpfscope {

struct UprobeTarget {
  std::string binaryPath;
  std::string functionName;  // empty: probe `offset` in the file instead
  int pid;                   // -1: every process, 0: this process
  bool retprobe;
  uint64_t offset = 0;  // file offset of the probed instruction when functionName is empty
};

// Each throws an ATTACH_FAILED failure naming the program and attach point.
std::shared_ptr<LinkState> AttachAuto(Napi::Env env, bpf_program* prog);
std::shared_ptr<LinkState> AttachUprobeTo(Napi::Env env, bpf_program* prog, const UprobeTarget& target);
// A software cpu-clock perf event on `cpu`, sampling at `frequencyHz`.
std::shared_ptr<LinkState> AttachCpuClock(Napi::Env env, bpf_program* prog, int cpu, unsigned frequencyHz);

// Records the link on the object and wraps it for JS.
Napi::Object NewLink(Napi::Env env, const std::shared_ptr<ObjectState>& object,
                     std::shared_ptr<LinkState> link);

class BpfLinkWrap : public Napi::ObjectWrap<BpfLinkWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfLinkWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Program(const Napi::CallbackInfo& info);
  Napi::Value AttachPoint(const Napi::CallbackInfo& info);
  Napi::Value Alive(const Napi::CallbackInfo& info);
  void Destroy(const Napi::CallbackInfo& info);
  Napi::Value ReadIterator(const Napi::CallbackInfo& info);      // iterator.cc
  Napi::Value ReadIteratorSync(const Napi::CallbackInfo& info);  // iterator.cc

  std::shared_ptr<LinkState> link_;
};

}  // namespace bpfscope
