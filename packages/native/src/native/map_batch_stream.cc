// lookupBatchStream(): one pool-thread job reads the whole map chunk after
// chunk, back to back as a C loop would, and hands each chunk to JavaScript
// as soon as it is read (AsyncProgressQueueWorker), so decoding on the JS
// thread overlaps with the kernel copying the next chunk. A callback that
// returns false stops the job before its next chunk.
#include <atomic>
#include <cerrno>
#include <cstdlib>

#include "errors.h"
#include "map.h"
#include "map_reader.h"

namespace bpfscope {
namespace {

struct ReadChunk {
  uint8_t* data;  // keys[count] then values[count], owned until wrapped for JS
  size_t bytes;
  size_t count;
  bool iterated;
};

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
      ReadChunk c{nullptr, r.count * (r.keySize + r.entrySize), r.count, r.iterated};
      c.data = r.Pack();
      total_ += c.count;
      progress.Send(&c, 1);  // copies the struct: the block now belongs to OnProgress
      if (r.err != 0) {
        err_ = r.err;
        op_ = r.op;
        return;
      }
      if (!r.more) return;
      token = std::move(r.next);
    } while (true);
  }

  void OnProgress(const ReadChunk* chunks, size_t n) override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    for (size_t i = 0; i < n; ++i) {
      const ReadChunk& c = chunks[i];
      Napi::ArrayBuffer buffer =
          c.bytes == 0 ? Napi::ArrayBuffer::New(env, 0)
                       : Napi::ArrayBuffer::New(env, c.data, c.bytes, [](Napi::Env, void* data) { std::free(data); });
      if (c.bytes == 0) std::free(c.data);
      if (cancelled_.load()) continue;  // the block is freed with the buffer
      try {
        Napi::Value keep = onChunk_.Call({buffer, Napi::Number::New(env, static_cast<double>(c.count)),
                                          Napi::Boolean::New(env, c.iterated)});
        if (keep.IsBoolean() && !keep.As<Napi::Boolean>().Value()) cancelled_.store(true);
      } catch (const Napi::Error&) {
        callbackThrew_ = true;  // reported by OnOK; the job stops before its next chunk
        cancelled_.store(true);
      }
    }
  }

  void OnOK() override {
    lease_.Release();
    Napi::Env env = Env();
    if (callbackThrew_) {
      deferred_.Reject(ToJsError(env, Failure{kInvalidArgument, "lookupBatchStream", 0, "the chunk callback threw", ""}).Value());
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
