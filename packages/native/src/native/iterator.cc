// BPF iterator reads: link.readIterator() creates an iterator fd from an
// attached iter/* link on the JS thread (one cheap syscall), then read()s it to
// EOF on a pool thread and resolves one ArrayBuffer with everything the
// program wrote. The iterator fd keeps the program alive on its own, so a
// link destroyed or an object closed during the read does not disturb it.
// readIterator(into) reads into the caller's ArrayBuffer instead (held by a
// reference until the read ends) and resolves the byte count; output that
// does not fit moves to a new buffer, which is resolved instead. A reader that
// reads the same table again and again then allocates nothing per read.
// readIteratorSync(into) is the same read on the calling thread: for a small
// table the hand-off to a pool thread and back (two thread wake-ups) costs
// more than the read itself.
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

// What one read of an iterator fd to its end gave: the bytes in the caller's buffer
// (inTarget), or in `data` (malloc'ed, all of them; freed here unless a JS buffer took
// it over), or the errno that stopped it.
struct IterRead {
  uint8_t* data = nullptr;
  size_t size = 0;
  int err = 0;
  bool inTarget = false;

  IterRead() = default;
  IterRead(const IterRead&) = delete;
  IterRead& operator=(const IterRead&) = delete;
  ~IterRead() { std::free(data); }
};

// Reads `fd` to EOF, into `target` first when there is one. Does not close `fd`.
void ReadToEnd(int fd, uint8_t* target, size_t targetCap, IterRead& r) {
  size_t capacity = 0;
  if (target != nullptr) {
    for (;;) {
      if (r.size == targetCap) break;  // full: the rest goes to a buffer of our own
      const ssize_t n = read(fd, target + r.size, targetCap - r.size);
      if (n == 0) {
        r.inTarget = true;
        return;
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        r.err = errno;
        return;
      }
      r.size += static_cast<size_t>(n);
    }
    capacity = targetCap * 2;
    r.data = static_cast<uint8_t*>(std::malloc(capacity));
    if (r.data == nullptr) {
      r.err = ENOMEM;
      return;
    }
    std::memcpy(r.data, target, r.size);
  }
  for (;;) {
    if (capacity - r.size < kFirstChunk / 4) {
      const size_t grown = capacity == 0 ? kFirstChunk : capacity * 2;
      auto* bigger = static_cast<uint8_t*>(std::realloc(r.data, grown));
      if (bigger == nullptr) {
        r.err = ENOMEM;
        return;
      }
      r.data = bigger;
      capacity = grown;
    }
    const ssize_t n = read(fd, r.data + r.size, capacity - r.size);
    if (n == 0) return;
    if (n < 0) {
      if (errno == EINTR) continue;
      r.err = errno;  // e.g. E2BIG: one record larger than the kernel's seq buffer
      return;
    }
    r.size += static_cast<size_t>(n);
  }
}

// The JS value of a finished read: the byte count when it all fit in the caller's
// buffer, else a new ArrayBuffer that takes over `r.data`. Null (and the error set)
// when the read failed.
Napi::Value ReadResult(Napi::Env env, IterRead& r, const std::string& program, Napi::Error* error) {
  if (r.err != 0) {
    *error = ToJsError(env, Failure{kReadFailed, "read", r.err,
                                    "reading the output of iterator " + program + " failed after " +
                                        std::to_string(r.size) + " bytes",
                                    ""});
    return env.Null();
  }
  if (r.inTarget) return Napi::Number::New(env, static_cast<double>(r.size));
  if (r.size == 0) return Napi::ArrayBuffer::New(env, 0);
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, r.data, r.size, [](Napi::Env, void* data) { std::free(data); });
  r.data = nullptr;
  return out;
}

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
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    ReadToEnd(fd_, target_, targetCap_, r_);
    close(fd_);
    fd_ = -1;
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Error error;
    Napi::Value v = ReadResult(env, r_, program_, &error);
    if (r_.err != 0) {
      deferred_.Reject(error.Value());
      return;
    }
    deferred_.Resolve(v);
  }

 private:
  int fd_;
  std::string program_;
  IterRead r_;
  uint8_t* target_ = nullptr;
  size_t targetCap_ = 0;
  Napi::Reference<Napi::ArrayBuffer> keep_;
  Napi::Promise::Deferred deferred_;
};

// A new iterator fd of the link; throws when the link is gone or is not an iterator's.
int CreateIterator(Napi::Env env, const LinkState& link) {
  if (!link.alive()) {
    ThrowFailure(env, Failure{kClosed, "bpf_iter_create", 0, "the link of " + link.program + " was destroyed", ""});
  }
  const int iterFd = bpf_iter_create(bpf_link__fd(link.link));
  if (iterFd < 0) {
    ThrowFailure(env, Failure{kReadFailed, "bpf_iter_create", PositiveErrno(iterFd),
                              "cannot create an iterator from " + link.program + " (" + link.attachPoint +
                                  "): is it an iter/* program?",
                              ""});
  }
  return iterFd;
}

}  // namespace

Napi::Value BpfLinkWrap::ReadIterator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int iterFd = CreateIterator(env, *link_);
  auto* worker = new IteratorWorker(env, iterFd, link_->program);
  if (info.Length() > 0 && info[0].IsArrayBuffer()) worker->Into(info[0].As<Napi::ArrayBuffer>());
  worker->Queue();
  return worker->Promise();
}

Napi::Value BpfLinkWrap::ReadIteratorSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) ThrowInvalid(env, "readIteratorSync(into): into must be an ArrayBuffer");
  Napi::ArrayBuffer into = info[0].As<Napi::ArrayBuffer>();
  const int iterFd = CreateIterator(env, *link_);
  IterRead r;
  ReadToEnd(iterFd, static_cast<uint8_t*>(into.Data()), into.ByteLength(), r);
  close(iterFd);
  Napi::Error error;
  Napi::Value v = ReadResult(env, r, link_->program, &error);
  if (r.err != 0) throw error;
  return v;
}

}  // namespace bpfscope
