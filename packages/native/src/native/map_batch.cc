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

namespace bpfscope {
namespace {

constexpr int kENOTSUPP = 524;  // kernel-internal "operation not supported"

bool BatchUnsupported(int err) {
  return err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP || err == kENOTSUPP;
}

// Keys and values share one malloc'd block: `capacity` keys, then `capacity`
// values. Pack() moves the values down behind the `count` keys, so the block
// becomes the ArrayBuffer handed to JavaScript without another copy.
struct ReadResult {
  uint8_t* data = nullptr;
  size_t keySize = 0;
  size_t entrySize = 0;
  size_t count = 0;
  size_t capacity = 0;
  int err = 0;
  const char* op = "";
  bool iterated = false;  // batch ops were refused: fell back to get_next_key

  ReadResult() = default;
  ReadResult(const ReadResult&) = delete;
  ReadResult& operator=(const ReadResult&) = delete;
  ~ReadResult() { std::free(data); }

  uint8_t* key(size_t i) const { return data + i * keySize; }
  uint8_t* value(size_t i) const { return data + capacity * keySize + i * entrySize; }

  // Grows the block, keeping the entries read so far. False when out of memory.
  bool Reserve(size_t wanted) {
    auto* grown = static_cast<uint8_t*>(std::malloc(std::max<size_t>(wanted * (keySize + entrySize), 1)));
    if (grown == nullptr) return false;
    if (data != nullptr) {
      std::memcpy(grown, data, count * keySize);
      std::memcpy(grown + wanted * keySize, value(0), count * entrySize);
      std::free(data);
    }
    data = grown;
    capacity = wanted;
    return true;
  }

  // Leaves keys[count] then values[count] at the start of the block; returns its ownership.
  uint8_t* Pack() {
    if (count < capacity && count > 0) std::memmove(data + count * keySize, value(0), count * entrySize);
    uint8_t* out = data;
    data = nullptr;
    return out;
  }
};

class MapReader {
 public:
  MapReader(int fd, size_t keySize, size_t entrySize, size_t maxEntries, bool andDelete)
      : fd_(fd), keySize_(keySize), entrySize_(entrySize), maxEntries_(maxEntries), andDelete_(andDelete) {}

  // Pool-thread safe: only syscalls on the fd, no napi.
  void ReadAll(ReadResult& r) const {
    r.keySize = keySize_;
    r.entrySize = entrySize_;
    if (!Reserve(r, std::max<size_t>(maxEntries_, 1))) return;
    const size_t tokenSize = std::max<size_t>(keySize_, 8);
    std::vector<uint8_t> in(tokenSize), out(tokenSize);
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    bool first = true;
    for (;;) {
      if (r.count == r.capacity && !Reserve(r, r.capacity + std::max<size_t>(r.capacity / 2, 64))) return;
      __u32 n = static_cast<__u32>(r.capacity - r.count);
      const int ret = andDelete_ ? bpf_map_lookup_and_delete_batch(fd_, first ? nullptr : in.data(), out.data(),
                                                                   r.key(r.count), r.value(r.count), &n, &opts)
                                 : bpf_map_lookup_batch(fd_, first ? nullptr : in.data(), out.data(), r.key(r.count),
                                                        r.value(r.count), &n, &opts);
      const int err = ret == 0 ? 0 : PositiveErrno(ret);
      if (err != 0 && err != ENOENT) {
        // ENOSPC: one hash bucket holds more than the room left (nothing of it was read or deleted).
        if (err == ENOSPC && n == 0) {
          if (!Reserve(r, r.capacity * 2)) return;
          continue;
        }
        if (first && !andDelete_ && BatchUnsupported(err)) return Iterate(r);
        r.count += n;  // entries a lookup-and-delete already removed must still reach the caller
        r.err = err;
        r.op = andDelete_ ? "bpf_map_lookup_and_delete_batch" : "bpf_map_lookup_batch";
        return;
      }
      r.count += n;
      first = false;
      in.swap(out);
      if (err == ENOENT) return;
    }
  }

 private:
  static bool Reserve(ReadResult& r, size_t capacity) {
    if (r.Reserve(capacity)) return true;
    r.err = ENOMEM;
    r.op = "malloc";
    return false;
  }

  // Entries deleted during the walk make the kernel restart from the first
  // key, so the walk is bounded rather than trusted to end.
  void Iterate(ReadResult& r) const {
    r.iterated = true;
    r.count = 0;
    std::vector<uint8_t> prev(keySize_), next(keySize_);
    const size_t limit = std::max<size_t>(maxEntries_, 1) * 4;
    for (size_t step = 0;; ++step) {
      if (step > limit) {
        r.err = EAGAIN;
        r.op = "bpf_map_get_next_key";
        return;
      }
      int ret = bpf_map_get_next_key(fd_, step == 0 ? nullptr : prev.data(), next.data());
      if (ret != 0) {
        const int err = PositiveErrno(ret);
        if (err == ENOENT) return;
        r.err = err;
        r.op = "bpf_map_get_next_key";
        return;
      }
      if (r.count == r.capacity && !Reserve(r, r.capacity + std::max<size_t>(r.capacity / 2, 64))) return;
      ret = bpf_map_lookup_elem(fd_, next.data(), r.value(r.count));
      if (ret == 0) {
        std::memcpy(r.key(r.count), next.data(), keySize_);
        ++r.count;
      } else if (PositiveErrno(ret) != ENOENT) {  // ENOENT: deleted since get_next_key
        r.err = PositiveErrno(ret);
        r.op = "bpf_map_lookup_elem";
        return;
      }
      prev.swap(next);
    }
  }

  int fd_;
  size_t keySize_;
  size_t entrySize_;
  size_t maxEntries_;
  bool andDelete_;
};

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

Napi::Value BpfMapWrap::ReadBatch(const Napi::CallbackInfo& info, bool andDelete) {
  Napi::Env env = info.Env();
  const char* op = andDelete ? "bpf_map_lookup_and_delete_batch" : "bpf_map_lookup_batch";
  if (meta_.keySize == 0) Fail(env, op, EINVAL, "the map type has no keys");
  FdLease lease = Lease(env, op);
  MapReader reader(lease.fd(), meta_.keySize, entrySize(), meta_.maxEntries, andDelete);
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
