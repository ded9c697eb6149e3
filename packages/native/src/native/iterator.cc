// BPF iterator reads: link.readIterator() creates an iterator fd from an
// attached iter/* link on the JS thread (one cheap syscall), then read()s it to
// EOF on a pool thread and resolves one ArrayBuffer with everything the
// program wrote. The iterator fd keeps the program alive on its own, so a
// link destroyed or an object closed during the read does not disturb it.
// readIterator(into) reads into the caller's ArrayBuffer instead (held by a
// reference until the read ends) and resolves the byte count; output that
// does not fit moves to a new buffer, which is resolved instead. A reader that
// reads the same table again and again then allocates nothing per read.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "errors.h"
#include "link.h"

namespace bpfscope {
namespace {

constexpr size_t kFirstChunk = 64 * 1024;

class IteratorWorker : public Napi::AsyncWorker {
 public:
  IteratorWorker(Napi::Env env, int iterFd, std::string program)
      : Napi::AsyncWorker(env, "bpfscope:readIterator"),
        fd_(iterFd),
        program_(std::move(program)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  // Read into `into` first (its memory stays put: ArrayBuffer backing stores do not move).
  void Into(Napi::ArrayBuffer into) {
    target_ = static_cast<uint8_t*>(into.Data());
    targetCap_ = into.ByteLength();
    keep_ = Napi::Persistent(into);
  }

  ~IteratorWorker() override {
    if (fd_ >= 0) close(fd_);
    std::free(data_);
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    size_t capacity = 0;
    if (target_ != nullptr) {
      for (;;) {
        if (size_ == targetCap_) break;  // full: the rest goes to a buffer of our own
        const ssize_t n = read(fd_, target_ + size_, targetCap_ - size_);
        if (n == 0) {
          inTarget_ = true;
          close(fd_);
          fd_ = -1;
          return;
        }
        if (n < 0) {
          if (errno == EINTR) continue;
          err_ = errno;
          return;
        }
        size_ += static_cast<size_t>(n);
      }
      capacity = targetCap_ * 2;
      data_ = static_cast<uint8_t*>(std::malloc(capacity));
      if (data_ == nullptr) {
        err_ = ENOMEM;
        return;
      }
      std::memcpy(data_, target_, size_);
    }
    for (;;) {
      if (capacity - size_ < kFirstChunk / 4) {
        const size_t grown = capacity == 0 ? kFirstChunk : capacity * 2;
        auto* bigger = static_cast<uint8_t*>(std::realloc(data_, grown));
        if (bigger == nullptr) {
          err_ = ENOMEM;
          return;
        }
        data_ = bigger;
        capacity = grown;
      }
      const ssize_t n = read(fd_, data_ + size_, capacity - size_);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        err_ = errno;  // e.g. E2BIG: one record larger than the kernel's seq buffer
        return;
      }
      size_ += static_cast<size_t>(n);
    }
    close(fd_);
    fd_ = -1;
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (err_ != 0) {
      Napi::Error error = ToJsError(env, Failure{kReadFailed, "read", err_,
                                                 "reading the output of iterator " + program_ + " failed after " +
                                                     std::to_string(size_) + " bytes",
                                                 ""});
      deferred_.Reject(error.Value());
      return;
    }
    if (inTarget_) {
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(size_)));
      return;
    }
    Napi::ArrayBuffer out;
    if (size_ == 0) {
      out = Napi::ArrayBuffer::New(env, 0);
    } else {
      out = Napi::ArrayBuffer::New(env, data_, size_, [](Napi::Env, void* data) { std::free(data); });
      data_ = nullptr;
    }
    deferred_.Resolve(out);
  }

 private:
  int fd_;
  std::string program_;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int err_ = 0;
  uint8_t* target_ = nullptr;
  size_t targetCap_ = 0;
  bool inTarget_ = false;
  Napi::Reference<Napi::ArrayBuffer> keep_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

Napi::Value BpfLinkWrap::ReadIterator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!link_->alive()) {
    ThrowFailure(env, Failure{kClosed, "bpf_iter_create", 0, "the link of " + link_->program + " was destroyed", ""});
  }
  const int iterFd = bpf_iter_create(bpf_link__fd(link_->link));
  if (iterFd < 0) {
    ThrowFailure(env, Failure{kReadFailed, "bpf_iter_create", PositiveErrno(iterFd),
                              "cannot create an iterator from " + link_->program + " (" + link_->attachPoint +
                                  "): is it an iter/* program?",
                              ""});
  }
  auto* worker = new IteratorWorker(env, iterFd, link_->program);
  if (info.Length() > 0 && info[0].IsArrayBuffer()) worker->Into(info[0].As<Napi::ArrayBuffer>());
  worker->Queue();
  return worker->Promise();
}

}  // namespace bpfscope
