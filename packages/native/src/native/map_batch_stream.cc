// lookupBatchStream(): one pool-thread job reads the whole map chunk after
// chunk, back to back as a C loop would, and hands each chunk to JavaScript
// as soon as it is read (AsyncProgressQueueWorker), so decoding on the JS
// thread overlaps with the kernel copying the next chunk. With a caller's
// buffer, the chunks fill it one after the other exactly as a whole-map read
// would (keys from its start, values after room for all keys), never writing
// where an earlier chunk lies; chunks beyond it get blocks of their own. The
// returned stop() (or a callback returning false) ends the job before its next
// chunk.
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "batch_into.h"
#include "errors.h"
#include "map.h"
#include "map_reader.h"

namespace bpfscope {
namespace {

using StopFlag = std::shared_ptr<std::atomic<bool>>;

class StreamWorker : public Napi::AsyncProgressQueueWorker<Delivered> {
 public:
  StreamWorker(Napi::Env env, FdLease lease, const MapReader& reader, size_t chunk, Napi::Function onChunk,
               IntoBuffer into, StopFlag stop, std::string what)
      : Napi::AsyncProgressQueueWorker<Delivered>(env, "bpfscope:lookupBatchStream"),
        lease_(std::move(lease)),
        reader_(reader),
        chunk_(chunk),
        onChunk_(Napi::Persistent(onChunk)),
        into_(std::move(into)),
        stop_(std::move(stop)),
        what_(std::move(what)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    const size_t keySize = reader_.keySize();
    const size_t entrySize = reader_.entrySize();
    const size_t room = into_.Entries(keySize + entrySize);
    uint8_t* keys = into_.data;
    uint8_t* values = into_.data + room * keySize;
    size_t used = 0;  // entries of the caller's buffer taken by earlier chunks
    while (!reader_.done() && !stop_->load()) {
      ReadResult r(keySize, entrySize);
      if (used < room) {
        r.Borrow(keys + used * keySize, values + used * entrySize, std::min(chunk_, room - used));
      } else if (!r.Reserve(chunk_)) {
        err_ = ENOMEM;
        op_ = "malloc";
        return;
      }
      reader_.ReadChunk(r);
      if (r.borrowed()) used += r.count;
      const int err = r.err;
      const char* op = r.op;
      Delivered d = Deliver(r, into_);
      if (d.count > 0) {
        total_ += d.count;
        progress.Send(&d, 1);  // the queued copy shares an owned block
      }
      if (err != 0) {
        err_ = err;
        op_ = op;
        return;
      }
    }
  }

  // Also runs, without a usable environment, for chunks still queued at
  // teardown: every failure is caught and the blocks are freed by their owners.
  void OnProgress(const Delivered* chunks, size_t n) override {
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      for (size_t i = 0; i < n && !stop_->load(); ++i) {
        Napi::Value keep = onChunk_.Call({ToJs(env, chunks[i], into_)});
        if (keep.IsBoolean() && !keep.As<Napi::Boolean>().Value()) stop_->store(true);
      }
    } catch (...) {
      callbackThrew_ = true;  // reported by OnOK; the job stops before its next chunk
      stop_->store(true);
    }
  }

  void OnOK() override {
    lease_.Release();
    Napi::Env env = Env();
    if (callbackThrew_) {
      deferred_.Reject(ToJsError(env, Failure{kInvalidArgument, "lookupBatchStream", 0, "delivering a chunk to JavaScript failed (the chunk callback threw)", ""}).Value());
    } else if (err_ != 0) {
      deferred_.Reject(ToJsError(env, Failure{kMapFailed, op_, err_, what_ + " failed", ""}).Value());
    } else {
      deferred_.Resolve(Napi::Number::New(env, static_cast<double>(total_)));
    }
  }

  void OnError(const Napi::Error& e) override {
    lease_.Release();
    deferred_.Reject(e.Value());
  }

 private:
  FdLease lease_;
  MapReader reader_;
  size_t chunk_;
  Napi::FunctionReference onChunk_;
  IntoBuffer into_;
  StopFlag stop_;
  std::string what_;
  bool callbackThrew_ = false;
  size_t total_ = 0;
  int err_ = 0;
  const char* op_ = "";
  Napi::Promise::Deferred deferred_;
};

// The stream's stop(): sets the flag the job checks before each chunk.
Napi::Function StopFunction(Napi::Env env, const StopFlag& flag) {
  auto* held = new StopFlag(flag);
  Napi::Function stop = Napi::Function::New(
      env, [](const Napi::CallbackInfo& info) { (*static_cast<StopFlag*>(info.Data()))->store(true); }, "stop", held);
  stop.AddFinalizer([](Napi::Env, StopFlag* p) { delete p; }, held);
  return stop;
}

}  // namespace

// lookupBatchStream(chunkEntries: number, onChunk(chunk: RawBatch) => boolean | void, into?: Uint8Array):
// { done: Promise<number>, stop(): void }
Napi::Value BpfMapWrap::LookupBatchStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "bpf_map_lookup_batch";
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    ThrowInvalid(env, "lookupBatchStream(chunkEntries: number, onChunk: Function, into?: Uint8Array)");
  }
  const size_t chunk = info[0].As<Napi::Number>().Uint32Value();
  if (chunk == 0) ThrowInvalid(env, "lookupBatchStream: chunkEntries must be positive");
  IntoBuffer into;
  if (!into.Take(info[2])) ThrowInvalid(env, "lookupBatchStream: into must be a Uint8Array");
  if (meta_.keySize == 0) Fail(env, op, EINVAL, "the map type has no keys");
  FdLease lease = Lease(env, op);
  MapReader reader(lease.fd(), meta_.keySize, entrySize(), meta_.maxEntries, false);
  auto flag = std::make_shared<std::atomic<bool>>(false);
  auto* worker = new StreamWorker(env, std::move(lease), reader, chunk, info[1].As<Napi::Function>(),
                                  std::move(into), flag, "reading all entries of " + meta_.name);
  Napi::Object out = Napi::Object::New(env);
  out.Set("done", worker->Promise());
  out.Set("stop", StopFunction(env, flag));
  worker->Queue();
  return out;
}

}  // namespace bpfscope
