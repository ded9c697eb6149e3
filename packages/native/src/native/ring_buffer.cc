#include "ring_buffer.h"

#include <uv.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#include "object.h"

namespace bpfscope {
namespace {

constexpr uint32_t kMaxBatchSize = 1000000;
constexpr uint32_t kMaxBusyPollMs = 1000;

uv_loop_t* LoopOf(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) ThrowInvalid(env, "no event loop");
  return loop;
}

}  // namespace

Napi::Function RingBufferWrap::Init(Napi::Env env) {
  return DefineClass(env, "RingBuffer",
                     {
                         InstanceMethod<&RingBufferWrap::Start>("start"),
                         InstanceMethod<&RingBufferWrap::Pause>("pause"),
                         InstanceMethod<&RingBufferWrap::RefHandle>("ref"),
                         InstanceMethod<&RingBufferWrap::UnrefHandle>("unref"),
                         InstanceMethod<&RingBufferWrap::CloseJs>("close"),
                         InstanceMethod<&RingBufferWrap::Stats>("stats"),
                     });
}

RingBufferWrap::RingBufferWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<RingBufferWrap>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  const char* op = "ring_buffer__new";
  if (info.Length() < 5 || !info[0].IsObject() || !info[1].IsArray() || !info[2].IsNumber() ||
      !info[3].IsFunction() || !info[4].IsFunction()) {
    ThrowInvalid(env, "RingBuffer(object: BpfObject, maps: string[], batchSize: number, onBatch, onError)");
  }
  bool isObject = false;
  if (napi_check_object_type_tag(env, info[0], &kBpfObjectTag, &isObject) != napi_ok || !isObject) {
    ThrowInvalid(env, "RingBuffer: the first argument is not a BpfObject");
  }
  state_ = BpfObjectWrap::Unwrap(info[0].As<Napi::Object>())->state();
  if (!state_->open()) ThrowFailure(env, Failure{kClosed, op, 0, "the object is closed", ""});
  if (state_->loading) ThrowFailure(env, Failure{kBusy, op, EBUSY, "the object is being loaded", ""});
  if (!state_->loaded) {
    ThrowFailure(env, Failure{kMapFailed, op, EBADF, "the object is not loaded: its ring buffers do not exist yet", ""});
  }
  const double batchSize = info[2].As<Napi::Number>().DoubleValue();
  if (!(batchSize >= 1 && batchSize <= kMaxBatchSize && std::floor(batchSize) == batchSize)) {
    ThrowInvalid(env, "RingBuffer: batchSize must be an integer from 1 to 1000000");
  }
  batchSize_ = static_cast<uint32_t>(batchSize);
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    const double busy = info[5].IsNumber() ? info[5].As<Napi::Number>().DoubleValue() : -1;
    if (!(busy >= 0 && busy <= kMaxBusyPollMs && std::floor(busy) == busy)) {
      ThrowInvalid(env, "RingBuffer: busyPollMs must be an integer from 0 to 1000");
    }
    busyPollMs_ = static_cast<uint32_t>(busy);
  }

  auto names = info[1].As<Napi::Array>();
  if (names.Length() == 0) ThrowInvalid(env, "RingBuffer: no maps given");
  for (uint32_t i = 0; i < names.Length(); ++i) {
    Napi::Value value = names.Get(i);
    if (!value.IsString()) ThrowInvalid(env, "RingBuffer: map names must be strings");
    const std::string name = value.As<Napi::String>();
    bpf_map* map = bpf_object__find_map_by_name(state_->obj, name.c_str());
    if (map == nullptr) ThrowFailure(env, Failure{kMapFailed, op, ENOENT, "no map named " + name, ""});
    if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF) {
      ThrowFailure(env, Failure{kMapFailed, op, EINVAL, "map " + name + " is not a ring buffer", ""});
    }
    rings_.push_back(std::make_unique<Ring>(Ring{this, i}));
    const uint64_t bytes = bpf_map__max_entries(map);
    if (i == 0 || bytes < minRingBytes_) minRingBytes_ = bytes;
    const int fd = bpf_map__fd(map);
    if (i == 0) {
      rb_.reset(ring_buffer__new(fd, OnSample, rings_.back().get(), nullptr));
      if (!rb_) ThrowFailure(env, Failure{kMapFailed, op, PositiveErrno(0), "cannot consume map " + name, ""});
    } else {
      const int ret = ring_buffer__add(rb_.get(), fd, OnSample, rings_.back().get());
      if (ret != 0) {
        ThrowFailure(env, Failure{kMapFailed, "ring_buffer__add", PositiveErrno(ret), "cannot consume map " + name, ""});
      }
    }
  }

  onBatch_ = Napi::Persistent(info[3].As<Napi::Function>());
  onError_ = Napi::Persistent(info[4].As<Napi::Function>());
  context_ = std::make_unique<Napi::AsyncContext>(env, "bpfscope:ringbuf", info.This().As<Napi::Object>());
  int err = 0;
  poller_ = Poller::Create(LoopOf(env), ring_buffer__epoll_fd(rb_.get()), OnWake, this, &err);
  if (poller_ == nullptr) {
    ThrowFailure(env, Failure{kMapFailed, "uv_poll_init", -err, std::string("cannot watch the ring buffer: ") + uv_strerror(err), ""});
  }
  // Nothing below throws. An open consumer is not garbage-collected (like an
  // open socket); close() or the env cleanup hook ends it.
  napi_add_env_cleanup_hook(env, CleanupHook, this);
  hooked_ = true;
  Ref();
  pinned_ = true;
}

RingBufferWrap::~RingBufferWrap() {
  // Reached with the consumer open only when the env is torn down without the
  // cleanup hook having run (it always runs first): stop the handle anyway.
  pinned_ = false;
  Close();
}

void RingBufferWrap::CleanupHook(void* arg) {
  auto* self = static_cast<RingBufferWrap*>(arg);
  self->hooked_ = false;  // being run: Node drops it itself
  self->Close();
}

void RingBufferWrap::RequireOpen(Napi::Env env, const char* op) const {
  if (closed_) ThrowFailure(env, Failure{kClosed, op, 0, "the ring buffer consumer is closed", ""});
}

void RingBufferWrap::Start(const Napi::CallbackInfo& info) {
  RequireOpen(info.Env(), "uv_poll_start");
  if (polling_) return;
  const int err = poller_->Start();
  if (err != 0) {
    ThrowFailure(info.Env(), Failure{kMapFailed, "uv_poll_start", -err, std::string("cannot watch the ring buffer: ") + uv_strerror(err), ""});
  }
  polling_ = true;
}

void RingBufferWrap::Pause(const Napi::CallbackInfo& info) {
  RequireOpen(info.Env(), "uv_poll_stop");
  poller_->Stop();
  polling_ = false;
  busy_ = false;
}

void RingBufferWrap::RefHandle(const Napi::CallbackInfo& info) {
  RequireOpen(info.Env(), "uv_ref");
  poller_->Ref();
}

void RingBufferWrap::UnrefHandle(const Napi::CallbackInfo& info) {
  RequireOpen(info.Env(), "uv_unref");
  poller_->Unref();
}

void RingBufferWrap::CloseJs(const Napi::CallbackInfo&) { Close(); }

Napi::Value RingBufferWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("delivered", delivered_);
  out.Set("batches", batches_);
  out.Set("lost", lost_);
  out.Set("wakeups", wakeups_);
  out.Set("timedPolls", timedPolls_);
  out.Set("busyPolling", busy_);
  return out;
}

void RingBufferWrap::Close() noexcept {
  if (!closed_) {
    closed_ = true;
    polling_ = false;
    busy_ = false;
    if (poller_ != nullptr) {
      poller_->Close();
      poller_ = nullptr;
    }
    if (hooked_) {
      napi_remove_env_cleanup_hook(env_, CleanupHook, this);
      hooked_ = false;
    }
    if (pinned_) {
      pinned_ = false;
      Unref();
    }
  }
  if (!draining_) FreeRings();
}

void RingBufferWrap::FreeRings() noexcept {
  rb_.reset();  // munmaps the rings and closes the epoll fd (already out of libuv's epoll)
  batch_.Release();
}

void RingBufferWrap::Report(Napi::Env env, const Failure& failure) {
  Call(env, onError_, {ToJsError(env, failure).Value()});
}

void RingBufferWrap::Call(Napi::Env env, const Napi::FunctionReference& fn, std::initializer_list<napi_value> args) {
  if (fn.IsEmpty()) return;
  try {
    // MakeCallback, not Call: the loop entered native code, so the nextTick and
    // microtask queues (an async iterator's promises) must run when JS returns.
    fn.MakeCallback(Value(), args, *context_);
  } catch (const Napi::Error& e) {
    // The TypeScript side catches its listeners' errors; an exception here is
    // a bug there: surface it as an uncaught exception.
    if (!e.Value().IsEmpty()) napi_fatal_exception(env, e.Value());
  }
}

}  // namespace bpfscope
