#include "log_sink.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "errors.h"

namespace bpfscope {
namespace {

struct Message {
  int level;
  std::string text;
  uint64_t dropped;  // messages lost before this one (queue refused them)
};

struct Sink;
void CallJs(Napi::Env env, Napi::Function callback, Sink*, Message* message);
using Tsfn = Napi::TypedThreadSafeFunction<Sink, Message, CallJs>;

struct Sink {
  napi_env env;
  Tsfn tsfn;
  int maxLevel;
  uint64_t dropped = 0;
};

// Guards `sinks` and every call into a sink's thread-safe function: a sink is
// taken out of the list under the lock before its function is released or
// finalized, so no thread can use a freed one.
std::mutex mutex;
std::vector<Sink*> sinks;
std::atomic<int> wantedLevel{-1};  // highest level any sink wants; -1 none

void UpdateWantedLocked() {
  int level = -1;
  for (const Sink* s : sinks) level = std::max(level, s->maxLevel);
  wantedLevel.store(level, std::memory_order_relaxed);
}

// Takes the sink of `env` out of the list; returns it (or null).
Sink* DetachLocked(napi_env env) {
  auto it = std::find_if(sinks.begin(), sinks.end(), [env](const Sink* s) { return s->env == env; });
  if (it == sinks.end()) return nullptr;
  Sink* sink = *it;
  sinks.erase(it);
  UpdateWantedLocked();
  return sink;
}

void CallJs(Napi::Env env, Napi::Function callback, Sink*, Message* message) {
  if (env != nullptr && callback != nullptr) {
    try {
      callback.Call({Napi::Number::New(env, message->level), Napi::String::New(env, message->text),
                     Napi::Number::New(env, static_cast<double>(message->dropped))});
    } catch (...) {
      // The TypeScript side catches its logger's errors; nothing may escape here.
    }
  }
  delete message;
}

// Runs on the environment's thread once the function is released or the
// environment is torn down.
void Finalize(Napi::Env env, void*, Sink* sink) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = std::find(sinks.begin(), sinks.end(), sink);
  if (it != sinks.end()) {
    sinks.erase(it);
    UpdateWantedLocked();
  }
  (void)env;
  delete sink;
}

Napi::Value SetSink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool clear = info.Length() < 1 || info[0].IsNull() || info[0].IsUndefined();
  if (!clear && (!info[0].IsFunction() || info.Length() < 2 || !info[1].IsNumber())) {
    ThrowInvalid(env, "setLibbpfLogSink(callback: Function | null, maxLevel: number)");
  }
  Sink* previous;
  {
    std::lock_guard<std::mutex> lock(mutex);
    previous = DetachLocked(env);
  }
  if (previous != nullptr) previous->tsfn.Release();  // its Finalize deletes it
  if (clear) return env.Undefined();

  auto* sink = new Sink{env, Tsfn(), info[1].As<Napi::Number>().Int32Value()};
  sink->tsfn = Tsfn::New(env, info[0].As<Napi::Function>(), "bpfscope:libbpf-log", 0, 1, sink, Finalize,
                         static_cast<void*>(nullptr));
  sink->tsfn.Unref(env);
  std::lock_guard<std::mutex> lock(mutex);
  sinks.push_back(sink);
  UpdateWantedLocked();
  return env.Undefined();
}

}  // namespace

bool LibbpfLogWanted(enum libbpf_print_level level) noexcept {
  return static_cast<int>(level) <= wantedLevel.load(std::memory_order_relaxed);
}

void DispatchLibbpfLog(enum libbpf_print_level level, const char* text) noexcept {
  if (!LibbpfLogWanted(level)) return;
  try {
    std::lock_guard<std::mutex> lock(mutex);
    for (Sink* sink : sinks) {
      if (static_cast<int>(level) > sink->maxLevel) continue;
      auto* message = new Message{static_cast<int>(level), text, sink->dropped};
      if (sink->tsfn.NonBlockingCall(message) == napi_ok) {
        sink->dropped = 0;
      } else {
        delete message;
        ++sink->dropped;
      }
    }
  } catch (...) {
    // Out of memory while logging: the message is lost; nothing escapes into libbpf.
  }
}

void RegisterLogSink(Napi::Env env, Napi::Object exports) {
  exports.Set("setLibbpfLogSink", Napi::Function::New(env, SetSink, "setLibbpfLogSink"));
}

}  // namespace bpfscope
