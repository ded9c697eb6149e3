// Whole-map reads in one crossing: lookupBatch(into?) and
// lookupAndDeleteBatch(into?) read every entry on a pool thread, keys first,
// then values, into the caller's buffer or, without one or when the map does
// not fit it, into a new ArrayBuffer; readArray() reads all values of an
// (per-CPU) array map synchronously.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "batch_into.h"
#include "errors.h"
#include "map.h"
#include "map_reader.h"

namespace bpfscope {
namespace {

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, FdLease lease, const MapReader& reader, IntoBuffer into, std::string what)
      : Napi::AsyncWorker(env, "bpfscope:lookupBatch"),
        lease_(std::move(lease)),
        reader_(reader),
        into_(std::move(into)),
        what_(std::move(what)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  // Keys then values, as many as fit the caller's buffer: keys[n] at its
  // start, values[n] right after.
  void Execute() override {
    ReadResult r(reader_.keySize(), reader_.entrySize());
    const size_t n = into_.Entries(r.keySize + r.entrySize);
    if (n > 0) r.Borrow(into_.data, into_.data + n * r.keySize, n);
    reader_.ReadAll(r);
    err_ = r.err;
    op_ = r.op;
    result_ = Deliver(r, into_);
  }

  // Resolves the RawBatch and, when a lookup-and-delete failed after it had
  // removed entries, also { errno, op }: those entries are the caller's now
  // and must not be lost with the error.
  void OnOK() override {
    lease_.Release();
    Napi::Env env = Env();
    if (err_ != 0 && result_.count == 0) {
      deferred_.Reject(ToJsError(env, Failure{kMapFailed, op_, err_, what_ + " failed", ""}).Value());
      return;
    }
    Napi::Object out = ToJs(env, result_, into_);
    if (err_ != 0) {
      out.Set("errno", err_);
      out.Set("op", op_);
    }
    deferred_.Resolve(out);
  }

 private:
  FdLease lease_;
  MapReader reader_;
  IntoBuffer into_;
  std::string what_;
  Delivered result_;
  int err_ = 0;
  const char* op_ = "";
  Napi::Promise::Deferred deferred_;
};

}  // namespace

Napi::Value BpfMapWrap::LookupBatch(const Napi::CallbackInfo& info) { return ReadBatch(info, false); }

Napi::Value BpfMapWrap::LookupAndDeleteBatch(const Napi::CallbackInfo& info) { return ReadBatch(info, true); }

// lookupBatch(into?: Uint8Array) and lookupAndDeleteBatch(into?: Uint8Array).
Napi::Value BpfMapWrap::ReadBatch(const Napi::CallbackInfo& info, bool andDelete) {
  Napi::Env env = info.Env();
  const char* op = andDelete ? "bpf_map_lookup_and_delete_batch" : "bpf_map_lookup_batch";
  IntoBuffer into;
  if (!into.Take(info[0])) ThrowInvalid(env, std::string(op) + ": into must be a Uint8Array");
  if (meta_.keySize == 0) Fail(env, op, EINVAL, "the map type has no keys");
  FdLease lease = Lease(env, op);
  MapReader reader(lease.fd(), meta_.keySize, entrySize(), meta_.maxEntries, andDelete);
  auto* worker = new BatchWorker(env, std::move(lease), reader, std::move(into),
                                 (andDelete ? "reading and deleting all entries of " : "reading all entries of ") +
                                     meta_.name);
  worker->Queue();
  return worker->Promise();
}

// readArray(first?, count?): values of keys first .. first+count-1 (default: all),
// one batch lookup from the key before `first`; TypeScript checks the range.
Napi::Value BpfMapWrap::ReadArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "read_array");
  if (meta_.type != BPF_MAP_TYPE_ARRAY && meta_.type != BPF_MAP_TYPE_PERCPU_ARRAY) {
    Fail(env, "read_array", EINVAL, "readArray() needs an array or percpu_array map");
  }
  uint32_t first = 0;
  uint32_t entries = meta_.maxEntries;
  if (info.Length() >= 2 && info[0].IsNumber() && info[1].IsNumber()) {
    first = info[0].As<Napi::Number>().Uint32Value();
    entries = info[1].As<Napi::Number>().Uint32Value();
  }
  if (static_cast<uint64_t>(first) + entries > meta_.maxEntries) {
    Fail(env, "read_array", EINVAL, "the range passes the map's last index");
  }
  const size_t entrySize = this->entrySize();
  auto out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(entries) * entrySize);
  if (entries == 0) return out;
  std::vector<uint32_t> keys(entries);
  __u32 n = entries;
  uint32_t token = 0;
  uint32_t before = first - 1;  // the batch starts after its in_batch key
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  const int ret = bpf_map_lookup_batch(fd, first == 0 ? nullptr : &before, &token, keys.data(), out.Data(), &n, &opts);
  const int err = ret == 0 ? 0 : PositiveErrno(ret);
  bool complete = (err == 0 || err == ENOENT) && n == entries;
  for (uint32_t i = 0; complete && i < entries; ++i) complete = keys[i] == first + i;
  if (complete) return out;
  if (err != 0 && err != ENOENT && !BatchUnsupported(err)) Fail(env, "bpf_map_lookup_batch", err, "batch read failed");
  // Older kernel, or an unexpected order: one lookup per index.
  for (uint32_t i = 0; i < entries; ++i) {
    const uint32_t key = first + i;
    if (bpf_map_lookup_elem(fd, &key, out.Data() + static_cast<size_t>(i) * entrySize) != 0) {
      Fail(env, "bpf_map_lookup_elem", errno, "reading index " + std::to_string(key) + " failed");
    }
  }
  return out;
}

}  // namespace bpfscope
