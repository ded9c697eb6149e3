// Batch writes in one crossing each: updateBatch() and deleteBatch() copy the
// packed keys (and values) and run bpf_map_update_batch / bpf_map_delete_batch
// on a pool thread. The kernel stops at the first entry it refuses; the
// number it processed before that travels with the error.
#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "errors.h"
#include "map.h"

namespace bpfscope {
namespace {

constexpr int kENOTSUPP = 524;  // kernel-internal "operation not supported"

// The kernel writes back how many entries it processed only once it started;
// when it refuses the operation outright the count passed in comes back.
bool RefusedOutright(int err) { return err == kENOTSUPP || err == EOPNOTSUPP || err == ENOTSUP; }

class WriteWorker : public Napi::AsyncWorker {
 public:
  WriteWorker(Napi::Env env, FdLease lease, std::vector<uint8_t> keys, std::vector<uint8_t> values, uint32_t count,
              uint64_t flags, std::string what)
      : Napi::AsyncWorker(env, "bpfscope:writeBatch"),
        lease_(std::move(lease)),
        keys_(std::move(keys)),
        values_(std::move(values)),
        count_(count),
        flags_(flags),
        what_(std::move(what)),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    opts.elem_flags = flags_;
    processed_ = count_;
    const bool update = !values_.empty();
    const int ret = update ? bpf_map_update_batch(lease_.fd(), keys_.data(), values_.data(), &processed_, &opts)
                           : bpf_map_delete_batch(lease_.fd(), keys_.data(), &processed_, &opts);
    err_ = ret == 0 ? 0 : PositiveErrno(ret);
    if (err_ != 0 && (processed_ > count_ || RefusedOutright(err_))) processed_ = 0;
  }

  void OnOK() override {
    lease_.Release();
    Napi::Env env = Env();
    if (err_ != 0) {
      const bool update = !values_.empty();
      std::string message = what_ + " stopped after " + std::to_string(processed_) + " of " +
                            std::to_string(count_) + " entries";
      if (RefusedOutright(err_)) message += ": the map type has no batch " + std::string(update ? "update" : "delete");
      if (update && err_ == E2BIG) message += ": the map is full";
      if (!update && err_ == ENOENT) message += ": entry " + std::to_string(processed_) + " has no such key";
      Napi::Error error =
          ToJsError(env, Failure{kMapFailed, update ? "bpf_map_update_batch" : "bpf_map_delete_batch", err_, message, ""});
      error.Value().Set("processed", processed_);
      deferred_.Reject(error.Value());
      return;
    }
    deferred_.Resolve(Napi::Number::New(env, processed_));
  }

 private:
  FdLease lease_;
  std::vector<uint8_t> keys_;
  std::vector<uint8_t> values_;
  uint32_t count_;
  uint64_t flags_;
  std::string what_;
  uint32_t processed_ = 0;
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

std::vector<uint8_t> Copy(const Napi::Buffer<uint8_t>& b) { return std::vector<uint8_t>(b.Data(), b.Data() + b.Length()); }

}  // namespace

// updateBatch(keys: Buffer, values: Buffer, count: number, flags: number): Promise<number>
Napi::Value BpfMapWrap::UpdateBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "bpf_map_update_batch";
  if (info.Length() < 4 || !info[2].IsNumber() || !info[3].IsNumber()) {
    ThrowInvalid(env, "updateBatch(keys, values, count, flags)");
  }
  const uint32_t count = info[2].As<Napi::Number>().Uint32Value();
  if (count == 0) Fail(env, op, EINVAL, "no entries to write");
  auto keys = Bytes(env, info[0], static_cast<size_t>(count) * meta_.keySize, "keys", op);
  auto values = Bytes(env, info[1], static_cast<size_t>(count) * entrySize(), "values", op);
  const uint64_t flags = static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value());
  FdLease lease = Lease(env, op);
  auto* worker = new WriteWorker(env, std::move(lease), Copy(keys), Copy(values), count, flags,
                                 "updating " + meta_.name);
  worker->Queue();
  return worker->Promise();
}

// deleteBatch(keys: Buffer, count: number): Promise<number>
Napi::Value BpfMapWrap::DeleteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "bpf_map_delete_batch";
  if (info.Length() < 2 || !info[1].IsNumber()) ThrowInvalid(env, "deleteBatch(keys, count)");
  const uint32_t count = info[1].As<Napi::Number>().Uint32Value();
  if (count == 0) Fail(env, op, EINVAL, "no keys to delete");
  auto keys = Bytes(env, info[0], static_cast<size_t>(count) * meta_.keySize, "keys", op);
  FdLease lease = Lease(env, op);
  auto* worker = new WriteWorker(env, std::move(lease), Copy(keys), {}, count, 0, "deleting from " + meta_.name);
  worker->Queue();
  return worker->Promise();
}

}  // namespace bpfscope
