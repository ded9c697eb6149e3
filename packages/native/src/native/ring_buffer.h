// JS class RingBuffer: consumes the BPF_MAP_TYPE_RINGBUF maps of one loaded
// object on the event loop. One libbpf ring_buffer holds every map
// (ring_buffer__new + ring_buffer__add) and a Poller watches its epoll fd; no
// thread. When the fd is readable the rings are drained with
// ring_buffer__consume. libbpf's sample callback only appends the record to
// the batch buffer (it never calls JavaScript and never throws); a full batch
// or the end of a consume crosses to JavaScript as ONE ArrayBuffer in ONE call:
//
//   record 0, padded to 8 bytes | record 1 | ... | index: count x u32 {offset, size, ring}
//
// onBatch(buffer, count, indexOffset), where `ring` is the position of the
// record's map in the `maps` argument.
//
// Busy polling: the kernel wakes a consumer that has caught up for (nearly)
// every record it commits, so a consumer that keeps up with a flood crosses to
// JavaScript for a few records at a time. With busyPollMs > 0, once wake-ups
// come less than busyPollMs apart, the fd leaves the loop's epoll and the rings
// are drained by a one-shot timer every busyPollMs instead, for as long as each
// poll finds records (and less than a quarter of the smallest ring: a small
// ring that fills fast goes back to wake-ups). The first poll that finds the
// rings empty goes back to waiting on the fd: an idle consumer runs nothing.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

#include "batch_buffer.h"
#include "errors.h"
#include "object_state.h"
#include "poller.h"

namespace bpfscope {

class RingBufferWrap : public Napi::ObjectWrap<RingBufferWrap> {
 public:
  static Napi::Function Init(Napi::Env env);

  // new RingBuffer(object: BpfObject, maps: string[], batchSize: number,
  //                onBatch: (buffer, count, indexOffset) => void, onError: (failure) => void,
  //                busyPollMs = 0)
  // Created stopped: start() begins polling.
  explicit RingBufferWrap(const Napi::CallbackInfo& info);
  ~RingBufferWrap() override;

 private:
  // What libbpf hands the sample callback: the consumer and the record's map.
  struct Ring {
    RingBufferWrap* owner;
    uint32_t index;
  };
  enum class Stop { kNone, kBatchFull, kNoMemory };
  using RingBufferPtr = std::unique_ptr<ring_buffer, void (*)(ring_buffer*)>;

  void Start(const Napi::CallbackInfo& info);
  void Pause(const Napi::CallbackInfo& info);
  void RefHandle(const Napi::CallbackInfo& info);
  void UnrefHandle(const Napi::CallbackInfo& info);
  void CloseJs(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  static int OnSample(void* ctx, void* data, size_t size) noexcept;
  int Append(uint32_t ring, const void* data, size_t size) noexcept;
  static void OnWake(void* ctx, int status, bool timer);
  // Returns true when it left every ring empty.
  bool Drain(Napi::Env env);
  // After a drain: the busy timer, or back to (or on with) the fd.
  void Rearm(Napi::Env env, bool timer, uint64_t wokeAt, bool empty);
  // The fd became unusable: stopped for good, the failure reported.
  void PollFailed(Napi::Env env, int status);
  void Flush(Napi::Env env);
  void Report(Napi::Env env, const Failure& failure);
  void Call(Napi::Env env, const Napi::FunctionReference& fn, std::initializer_list<napi_value> args);
  void RequireOpen(Napi::Env env, const char* op) const;
  // Stops for good. The rings are freed now, or right after the drain that
  // is on the stack (close() called from a batch listener) returns.
  void Close() noexcept;
  void FreeRings() noexcept;
  static void CleanupHook(void* arg);

  napi_env env_;
  std::shared_ptr<ObjectState> state_;
  std::vector<std::unique_ptr<Ring>> rings_;  // outlive rb_, which points at them
  RingBufferPtr rb_{nullptr, ring_buffer__free};
  Poller* poller_ = nullptr;  // deletes itself after Close()
  Napi::FunctionReference onBatch_;
  Napi::FunctionReference onError_;
  std::unique_ptr<Napi::AsyncContext> context_;

  BatchBuffer batch_;
  uint32_t batchSize_ = 1;
  Stop stop_ = Stop::kNone;

  uint32_t busyPollMs_ = 0;    // 0: always woken by the fd
  uint64_t minRingBytes_ = 0;  // the smallest ring's size
  uint64_t lastWakeNs_ = 0;    // uv_hrtime() of the last wake-up or poll, 0 before the first
  uint64_t takenBytes_ = 0;    // ring bytes (records and their 8-byte headers) taken by the current drain
  bool busy_ = false;          // the busy timer is armed (the fd is not watched)

  double delivered_ = 0;  // records handed to JavaScript
  double batches_ = 0;    // calls made to onBatch
  double lost_ = 0;       // records taken from a ring but not delivered (out of memory only)
  double wakeups_ = 0;    // readiness callbacks of the fd
  double timedPolls_ = 0; // polls by the busy timer

  bool polling_ = false;
  bool draining_ = false;
  bool closed_ = false;
  bool hooked_ = false;
  bool pinned_ = false;  // the JS object holds a strong reference to itself while open
};

}  // namespace bpfscope
