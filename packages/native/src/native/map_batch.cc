// Whole-map reads in one crossing: lookupBatch() reads every entry on a pool
// thread into one ArrayBuffer (keys first, then values); readArray() reads all
// values of an (per-CPU) array map synchronously.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
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

struct ReadResult {
  std::vector<uint8_t> keys;
  std::vector<uint8_t> values;
  size_t count = 0;
  size_t capacity = 0;
  int err = 0;
  const char* op = "";
  bool iterated = false;  // batch ops were refused: fell back to get_next_key
};

class MapReader {
 public:
  MapReader(int fd, size_t keySize, size_t entrySize, size_t maxEntries)
      : fd_(fd), keySize_(keySize), entrySize_(entrySize), maxEntries_(maxEntries) {}

  // Pool-thread safe: only syscalls on the fd, no napi.
  void ReadAll(ReadResult& r) const {
    Reserve(r, std::max<size_t>(maxEntries_, 1));
    const size_t tokenSize = std::max<size_t>(keySize_, 8);
    std::vector<uint8_t> in(tokenSize), out(tokenSize);
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    bool first = true;
    for (;;) {
      if (r.count == r.capacity) Reserve(r, r.capacity + std::max<size_t>(r.capacity / 2, 64));
      __u32 n = static_cast<__u32>(r.capacity - r.count);
      const int ret = bpf_map_lookup_batch(fd_, first ? nullptr : in.data(), out.data(),
                                           r.keys.data() + r.count * keySize_,
                                           r.values.data() + r.count * entrySize_, &n, &opts);
      const int err = ret == 0 ? 0 : PositiveErrno(ret);
      if (err != 0 && err != ENOENT) {
        if (err == ENOSPC) {  // one hash bucket holds more than the room left
          Reserve(r, r.capacity * 2);
          continue;
        }
        if (first && BatchUnsupported(err)) return Iterate(r);
        r.err = err;
        r.op = "bpf_map_lookup_batch";
        return;
      }
      r.count += n;
      first = false;
      in.swap(out);
      if (err == ENOENT) return;
    }
  }

 private:
  void Reserve(ReadResult& r, size_t capacity) const {
    r.capacity = capacity;
    r.keys.resize(capacity * keySize_);
    r.values.resize(capacity * entrySize_);
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
      if (r.count == r.capacity) Reserve(r, r.capacity + std::max<size_t>(r.capacity / 2, 64));
      ret = bpf_map_lookup_elem(fd_, next.data(), r.values.data() + r.count * entrySize_);
      if (ret == 0) {
        std::memcpy(r.keys.data() + r.count * keySize_, next.data(), keySize_);
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
};

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, std::shared_ptr<ObjectState> state, const MapReader& reader, std::string mapName,
              size_t keySize, size_t entrySize)
      : Napi::AsyncWorker(env, "bpfscope:lookupBatch"),
        state_(std::move(state)),
        reader_(reader),
        mapName_(std::move(mapName)),
        keySize_(keySize),
        entrySize_(entrySize),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override { reader_.ReadAll(result_); }

  void OnOK() override {
    state_->EndWork();
    Napi::Env env = Env();
    if (result_.err != 0) {
      deferred_.Reject(ToJsError(env, Failure{kMapFailed, result_.op, result_.err,
                                               "reading all entries of " + mapName_ + " failed", ""})
                           .Value());
      return;
    }
    const size_t keyBytes = result_.count * keySize_;
    const size_t valueBytes = result_.count * entrySize_;
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, keyBytes + valueBytes);
    auto* dst = static_cast<uint8_t*>(buffer.Data());
    if (keyBytes > 0) std::memcpy(dst, result_.keys.data(), keyBytes);
    if (valueBytes > 0) std::memcpy(dst + keyBytes, result_.values.data(), valueBytes);
    Napi::Object out = Napi::Object::New(env);
    out.Set("count", static_cast<double>(result_.count));
    out.Set("buffer", buffer);
    out.Set("iterated", result_.iterated);
    deferred_.Resolve(out);
  }

 private:
  std::shared_ptr<ObjectState> state_;
  MapReader reader_;
  std::string mapName_;
  size_t keySize_;
  size_t entrySize_;
  ReadResult result_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

Napi::Value BpfMapWrap::LookupBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_lookup_batch");
  const size_t keySize = bpf_map__key_size(map_);
  if (keySize == 0) Fail(env, "bpf_map_lookup_batch", EINVAL, "the map type has no keys");
  const size_t entrySize = EntrySize(map_);
  MapReader reader(fd, keySize, entrySize, bpf_map__max_entries(map_));
  auto* worker = new BatchWorker(env, state_, reader, name_, keySize, entrySize);
  state_->BeginWork();
  worker->Queue();
  return worker->Promise();
}

Napi::Value BpfMapWrap::ReadArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "read_array");
  const bpf_map_type type = bpf_map__type(map_);
  if (type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_PERCPU_ARRAY) {
    Fail(env, "read_array", EINVAL, "readArray() needs an array or percpu_array map");
  }
  const uint32_t entries = bpf_map__max_entries(map_);
  const size_t entrySize = EntrySize(map_);
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
