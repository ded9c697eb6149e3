// JS class BpfFd: one kernel fd this addon owns outside any object, closed by
// close() or on GC. Used for pinned programs (openPinnedProgram) and for the
// BPF_ENABLE_STATS fd that keeps run-time statistics on (enableRunStats).
// Also registers those module functions and openPinnedMap.
#pragma once

#include <napi.h>

#include <string>

namespace bpfscope {

class BpfFdWrap : public Napi::ObjectWrap<BpfFdWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfFdWrap(const Napi::CallbackInfo& info);
  ~BpfFdWrap() override;

 private:
  Napi::Value Kind(const Napi::CallbackInfo& info);
  Napi::Value Closed(const Napi::CallbackInfo& info);
  Napi::Value ProgramInfo(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);

  int fd_ = -1;
  std::string kind_;  // "prog" or "stats"
};

// openPinnedMap(path), openPinnedProgram(path), enableRunStats().
void RegisterFdFunctions(Napi::Env env, Napi::Object exports);

}  // namespace bpfscope
