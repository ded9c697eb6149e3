// lookupBatchStream(): one pool-thread job reads the whole map chunk after
// chunk, back to back as a C loop would, and hands each chunk to JavaScript
// as soon as it is read (AsyncProgressQueueWorker), so decoding on the JS
// thread overlaps with the kernel copying the next chunk. A callback that
// returns false stops the job before its next chunk.
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "errors.h"
#include "map.h"
#include "map_reader.h"

namespace bpfscope {
namespace {

// keys[count] then values[count]. Shared ownership: the queued copy keeps the
// block alive until JavaScript's ArrayBuffer takes its own reference, and a
// queue dropped at environment teardown frees it.
struct ReadChunk {
  std::shared_ptr<uint8_t> data;
  size_t bytes = 0;
  size_t count = 0;
  bool iterated = false;
};

using Block = std::shared_ptr<uint8_t>;

class StreamWorker : public Napi::AsyncProgressQueueWorker<ReadChunk> {
 public:
  StreamWorker(Napi::Env env, FdLease lease, const MapReader& reader, size_t chunk, Napi::Function onChunk,
               std::string what)
      : Napi::AsyncProgressQueueWorker<ReadChunk>(env, "bpfscope:lookupBatchStream"),
        lease_(std::move(lease)),
        reader_(reader),
        chunk_(chunk),
        onChunk_(Napi::Persistent(onChunk)),
        what_(std::move(what)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    std::vector<uint8_t> token;
    do {
      if (cancelled_.load()) return;
      ReadResult r;
      reader_.Chunk(chunk_, token);
      reader_.ReadAll(r);
      if (r.err != 0 && r.count == 0) {
        err_ = r.err;
        op_ = r.op;
        return;
      }
      ReadChunk c;
      c.bytes = r.count * (r.keySize + r.entrySize);
      c.count = r.count;
      c.iterated = r.iterated;
      c.data = Block(r.Pack(), std::free);
      total_ += c.count;
      progress.Send(&c, 1);  // the queued copy shares the block
      if (r.err != 0) {
        err_ = r.err;
        op_ = r.op;
        return;
      }
      if (!r.more) return;
      token = std::move(r.next);
    } while (true);
  }

  // Also runs, without a usable environment, for chunks still queued at
  // teardown: every failure is caught and the blocks are freed by their owners.
  void OnProgress(const ReadChunk* chunks, size_t n) override {
    try {
      Napi::Env env = Env();
      Napi::HandleScope scope(env);
      for (size_t i = 0; i < n && !cancelled_.load(); ++i) {
        const ReadChunk& c = chunks[i];
        Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, 0);
        if (c.bytes > 0) {
          auto hold = std::make_unique<Block>(c.data);
          buffer = Napi::ArrayBuffer::New(
              env, c.data.get(), c.bytes, [](Napi::Env, void*, Block* held) { delete held; }, hold.get());
          hold.release();  // the buffer's finalizer owns it now
        }
        Napi::Value keep = onChunk_.Call({buffer, Napi::Number::New(env, static_cast<double>(c.count)),
                                          Napi::Boolean::New(env, c.iterated)});
        if (keep.IsBoolean() && !keep.As<Napi::Boolean>().Value()) cancelled_.store(true);
      }
    } catch (...) {
      callbackThrew_ = true;  // reported by OnOK; the job stops before its next chunk
      cancelled_.store(true);
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
  std::string what_;
  std::atomic<bool> cancelled_{false};
  bool callbackThrew_ = false;
  size_t total_ = 0;
  int err_ = 0;
  const char* op_ = "";
  Napi::Promise::Deferred deferred_;
};

}  // namespace

// lookupBatchStream(chunkEntries: number, onChunk(buffer, count, iterated) => boolean | void): Promise<number>
Napi::Value BpfMapWrap::LookupBatchStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "bpf_map_lookup_batch";
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    ThrowInvalid(env, "lookupBatchStream(chunkEntries: number, onChunk: Function)");
  }
  const size_t chunk = info[0].As<Napi::Number>().Uint32Value();
  if (chunk == 0) ThrowInvalid(env, "lookupBatchStream: chunkEntries must be positive");
  if (meta_.keySize == 0) Fail(env, op, EINVAL, "the map type has no keys");
  FdLease lease = Lease(env, op);
  MapReader reader(lease.fd(), meta_.keySize, entrySize(), meta_.maxEntries, false);
  auto* worker = new StreamWorker(env, std::move(lease), reader, chunk, info[1].As<Napi::Function>(),
                                  "reading all entries of " + meta_.name);
  worker->Queue();
  return worker->Promise();
}

}  // namespace bpfscope
