// RingBufferWrap's drain path (ring_buffer.h): libbpf's sample callback, the
// wake-ups of the fd and the busy timer, the drain itself, and the one crossing
// to JavaScript per batch. The object's lifecycle is in ring_buffer.cc.
#include <uv.h>

#include <cerrno>
#include <string>

#include "ring_buffer.h"

namespace bpfscope {
namespace {

// A readable fd is drained by at most this many batches before the loop gets
// to run its other callbacks; the fd stays readable, so draining goes on at
// the next turn of the loop.
constexpr int kMaxBatchesPerWake = 64;
// A batch is also cut when its records reach this size (big records).
constexpr size_t kMaxBatchBytes = 16u << 20;

}  // namespace

int RingBufferWrap::OnSample(void* ctx, void* data, size_t size) noexcept {
  auto* ring = static_cast<Ring*>(ctx);
  return ring->owner->Append(ring->index, data, size);
}

int RingBufferWrap::Append(uint32_t ring, const void* data, size_t size) noexcept {
  takenBytes_ += (size + 8 + 7) & ~size_t{7};  // as the kernel ring holds it: an 8-byte header, 8-byte aligned
  if (!batch_.Append(ring, data, size)) {
    lost_ += 1;  // libbpf has already moved past the record
    stop_ = Stop::kNoMemory;
    return -ENOMEM;
  }
  if (batch_.count() >= batchSize_ || batch_.dataBytes() >= kMaxBatchBytes) {
    stop_ = Stop::kBatchFull;
    return -EAGAIN;  // ring_buffer__consume stops here; Drain() delivers and goes on
  }
  return 0;
}

void RingBufferWrap::OnWake(void* ctx, int status, bool timer) {
  auto* self = static_cast<RingBufferWrap*>(ctx);
  Napi::Env env(self->env_);
  Napi::HandleScope scope(env);
  const uint64_t now = uv_hrtime();
  self->draining_ = true;
  if (timer) {
    self->timedPolls_ += 1;
  } else {
    self->wakeups_ += 1;
  }
  if (status < 0) {
    self->PollFailed(env, status);
  } else {
    self->takenBytes_ = 0;
    const bool empty = self->Drain(env);
    if (self->polling_ && !self->closed_) self->Rearm(env, timer, now, empty);
  }
  self->lastWakeNs_ = now;
  self->draining_ = false;
  if (self->closed_) self->FreeRings();
}

void RingBufferWrap::Rearm(Napi::Env env, bool timer, uint64_t wokeAt, bool empty) {
  const uint64_t period = uint64_t{busyPollMs_} * 1000000;
  // Busy: this drain found records and emptied the rings, they took less than a quarter
  // of the smallest ring, and either the timer is already on or this wake-up came less
  // than a period after the last one.
  const bool busy = period > 0 && empty && takenBytes_ > 0 && takenBytes_ <= minRingBytes_ / 4 &&
                    (timer || (lastWakeNs_ != 0 && wokeAt - lastWakeNs_ < period));
  if (busy) {
    poller_->After(busyPollMs_);
    busy_ = true;
    return;
  }
  if (!timer && !busy_) return;  // the fd is still watched
  busy_ = false;
  const int err = poller_->Start();  // records left behind make the fd readable at once
  if (err != 0) PollFailed(env, err);
}

void RingBufferWrap::PollFailed(Napi::Env env, int status) {
  poller_->Stop();
  polling_ = false;
  busy_ = false;
  Report(env, Failure{kMapFailed, "uv_poll", -status,
                      std::string("polling the ring buffer failed (") + uv_strerror(status) + "); the consumer is paused", ""});
}

bool RingBufferWrap::Drain(Napi::Env env) {
  for (int batch = 0; batch < kMaxBatchesPerWake && polling_ && !closed_; ++batch) {
    stop_ = Stop::kNone;
    const int ret = ring_buffer__consume(rb_.get());
    const Stop stop = stop_;
    if (batch_.count() > 0) Flush(env);  // JavaScript runs here, outside libbpf; it may pause or close
    if (ret >= 0) return true;  // every ring is empty
    if (stop == Stop::kBatchFull) continue;
    if (stop == Stop::kNoMemory) {
      Report(env, Failure{kMapFailed, "ring_buffer__consume", ENOMEM,
                          "out of memory while copying a record: it was taken from the ring and is counted as lost", ""});
      continue;
    }
    Report(env, Failure{kMapFailed, "ring_buffer__consume", PositiveErrno(ret), "consuming the ring buffer failed", ""});
    return false;
  }
  return false;
}

void RingBufferWrap::Flush(Napi::Env env) {
  const uint32_t count = batch_.count();
  const size_t dataBytes = batch_.dataBytes();
  // A Node Buffer, not napi_create_arraybuffer: its memory is not zero-filled
  // first, and every byte of it is written below.
  Napi::Buffer<uint8_t> buffer;
  try {
    buffer = Napi::Buffer<uint8_t>::New(env, dataBytes + batch_.indexBytes());
  } catch (const Napi::Error&) {
    env.GetAndClearPendingException();
  }
  if (buffer.IsEmpty()) {
    batch_.Clear();
    lost_ += count;
    Report(env, Failure{kMapFailed, "napi_create_buffer", ENOMEM,
                        "cannot allocate a batch buffer: " + std::to_string(count) + " records are counted as lost", ""});
    return;
  }
  batch_.CopyTo(buffer.Data());
  batch_.Clear();
  delivered_ += count;
  batches_ += 1;
  Call(env, onBatch_, {buffer.ArrayBuffer(), Napi::Number::New(env, count), Napi::Number::New(env, static_cast<double>(dataBytes))});
}

}  // namespace bpfscope
