// Whole-map reads in one crossing: lookupBatch() and lookupAndDeleteBatch()
// read every entry on a pool thread into one ArrayBuffer (keys first, then
// values); readArray() reads all values of an (per-CPU) array map
// synchronously.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "errors.h"
#include "map.h"
#include "map_reader.h"

namespace bpfscope {
namespace {

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, FdLease lease, const MapReader& reader, std::string what)
      : Napi::AsyncWorker(env, "bpfscope:lookupBatch"),
        lease_(std::move(lease)),
        reader_(reader),
        what_(std::move(what)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    reader_.ReadAll(result_);
    bytes_ = result_.count * (result_.keySize + result_.entrySize);
    packed_ = result_.Pack();
  }

  // Resolves { count, buffer, iterated } and, when a lookup-and-delete failed
  // after it had removed entries, also { errno, op }: those entries are the
  // caller's now and must not be lost with the error.
  void OnOK() override {
    lease_.Release();
    Napi::Env env = Env();
    if (result_.err != 0 && result_.count == 0) {
      std::free(packed_);
      deferred_.Reject(ToJsError(env, Failure{kMapFailed, result_.op, result_.err, what_ + " failed", ""}).Value());
      return;
    }
    Napi::ArrayBuffer buffer;
    if (bytes_ == 0) {
      std::free(packed_);
      buffer = Napi::ArrayBuffer::New(env, 0);
    } else {
      buffer = Napi::ArrayBuffer::New(env, packed_, bytes_, [](Napi::Env, void* data) { std::free(data); });
    }
    packed_ = nullptr;
    Napi::Object out = Napi::Object::New(env);
    out.Set("count", static_cast<double>(result_.count));
    out.Set("buffer", buffer);
    out.Set("iterated", result_.iterated);
    if (result_.err != 0) {
      out.Set("errno", result_.err);
      out.Set("op", result_.op);
    }
    if (result_.more) out.Set("next", Napi::Buffer<uint8_t>::Copy(env, result_.next.data(), result_.next.size()));
    deferred_.Resolve(out);
  }

  ~BatchWorker() override { std::free(packed_); }

 private:
  FdLease lease_;
  MapReader reader_;
  std::string what_;
  ReadResult result_;
  uint8_t* packed_ = nullptr;
  size_t bytes_ = 0;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

Napi::Value BpfMapWrap::LookupBatch(const Napi::CallbackInfo& info) { return ReadBatch(info, false); }

Napi::Value BpfMapWrap::LookupAndDeleteBatch(const Napi::CallbackInfo& info) { return ReadBatch(info, true); }

// lookupBatch(limit?: number, start?: Buffer) and lookupAndDeleteBatch(): with
// a limit, one chunk of at most `limit` entries from the kernel token `start`;
// the result's `next` resumes it.
Napi::Value BpfMapWrap::ReadBatch(const Napi::CallbackInfo& info, bool andDelete) {
  Napi::Env env = info.Env();
  const char* op = andDelete ? "bpf_map_lookup_and_delete_batch" : "bpf_map_lookup_batch";
  if (meta_.keySize == 0) Fail(env, op, EINVAL, "the map type has no keys");
  size_t limit = 0;
  std::vector<uint8_t> start;
  if (!andDelete && info.Length() > 0 && info[0].IsNumber()) limit = info[0].As<Napi::Number>().Uint32Value();
  if (!andDelete && info.Length() > 1 && info[1].IsBuffer()) {
    auto token = info[1].As<Napi::Buffer<uint8_t>>();
    start.assign(token.Data(), token.Data() + token.Length());
  }
  FdLease lease = Lease(env, op);
  MapReader reader(lease.fd(), meta_.keySize, entrySize(), meta_.maxEntries, andDelete);
  if (!start.empty() && start.size() != reader.tokenSize()) ThrowInvalid(env, "lookupBatch: the resume token has the wrong size");
  reader.Chunk(limit, std::move(start));
  auto* worker = new BatchWorker(env, std::move(lease), reader,
                                 (andDelete ? "reading and deleting all entries of " : "reading all entries of ") +
                                     meta_.name);
  worker->Queue();
  return worker->Promise();
}

Napi::Value BpfMapWrap::ReadArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "read_array");
  if (meta_.type != BPF_MAP_TYPE_ARRAY && meta_.type != BPF_MAP_TYPE_PERCPU_ARRAY) {
    Fail(env, "read_array", EINVAL, "readArray() needs an array or percpu_array map");
  }
  const uint32_t entries = meta_.maxEntries;
  const size_t entrySize = this->entrySize();
  auto out = Napi::Buffer<uint8_t>::New(env, entries * entrySize);
  std::vector<uint32_t> keys(entries);
  __u32 n = entries;
  uint32_t token = 0;
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  const int ret = bpf_map_lookup_batch(fd, nullptr, &token, keys.data(), out.Data(), &n, &opts);
  const int err = ret == 0 ? 0 : PositiveErrno(ret);
  bool complete = (err == 0 || err == ENOENT) && n == entries;
  for (uint32_t i = 0; complete && i < entries; ++i) complete = keys[i] == i;
  if (complete) return out;
  if (err != 0 && err != ENOENT && !BatchUnsupported(err)) Fail(env, "bpf_map_lookup_batch", err, "batch read failed");
  // Older kernel, or an unexpected order: one lookup per index.
  for (uint32_t i = 0; i < entries; ++i) {
    if (bpf_map_lookup_elem(fd, &i, out.Data() + static_cast<size_t>(i) * entrySize) != 0) {
      Fail(env, "bpf_map_lookup_elem", errno, "reading index " + std::to_string(i) + " failed");
    }
  }
  return out;
}

}  // namespace bpfscope
