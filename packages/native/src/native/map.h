// JS class BpfMap: element operations on one map, either of a loaded object
// or opened standalone from a bpffs pin. Sizes are checked in TypeScript
// first; the checks here only keep the kernel from reading or writing past a
// buffer.
#pragma once

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>

#include "object_state.h"

namespace bpfscope {

bool IsPerCpu(bpf_map_type type);

// Bytes one lookup returns: value_size, or for per-CPU maps value_size rounded
// up to 8 times the number of possible CPUs.
size_t EntrySize(bpf_map_type type, uint32_t valueSize);
size_t EntrySize(const bpf_map* map);

// What DescribeMap reports, from a bpf_map of an object or a kernel map info.
struct MapMeta {
  std::string name;
  bpf_map_type type = BPF_MAP_TYPE_UNSPEC;
  uint32_t keySize = 0;
  uint32_t valueSize = 0;
  uint32_t maxEntries = 0;
  uint32_t id = 0;  // kernel map id, 0 before load
  uint32_t keyTypeId = 0;
  uint32_t valueTypeId = 0;
  std::string keyType;  // BTF type names, "" without BTF
  std::string valueType;
};

MapMeta MetaOf(const bpf_map* map, const btf* types);

Napi::Object DescribeMap(Napi::Env env, const MapMeta& meta);

// An fd the map owns (a map opened from a pin); closed on close() or GC.
struct OwnedFd {
  int fd = -1;
  std::shared_ptr<btf> types;  // the map's BTF, loaded from the kernel by id
  OwnedFd() = default;
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() { Close(); }
  void Close() noexcept;
};

// Keeps a map fd valid while a pool-thread job uses it: the object is marked
// busy (close() is deferred), or a standalone map's fd is duplicated.
class FdLease {
 public:
  FdLease(std::shared_ptr<ObjectState> state, int fd);
  explicit FdLease(int fd);  // dup(fd); -1 when dup failed
  FdLease(FdLease&& other) noexcept;
  FdLease(const FdLease&) = delete;
  FdLease& operator=(const FdLease&) = delete;
  ~FdLease() { Release(); }
  int fd() const { return fd_; }
  // On the JS thread, in the job's completion callback.
  void Release() noexcept;

 private:
  std::shared_ptr<ObjectState> state_;
  int fd_ = -1;
  bool owned_ = false;
};

Napi::Object NewMap(Napi::Env env, const std::shared_ptr<ObjectState>& object, bpf_map* map);
// A standalone map over an fd of a pinned map; takes ownership of `fd`.
Napi::Object NewPinnedMap(Napi::Env env, std::shared_ptr<OwnedFd> fd, const MapMeta& meta);

class BpfMapWrap : public Napi::ObjectWrap<BpfMapWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BpfMapWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Lookup(const Napi::CallbackInfo& info);
  void Update(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value NextKey(const Napi::CallbackInfo& info);
  void Pin(const Napi::CallbackInfo& info);
  Napi::Value Btf(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  Napi::Value LookupBatch(const Napi::CallbackInfo& info);           // map_batch.cc
  Napi::Value LookupAndDeleteBatch(const Napi::CallbackInfo& info);  // map_batch.cc
  Napi::Value ReadArray(const Napi::CallbackInfo& info);             // map_batch.cc
  Napi::Value LookupBatchStream(const Napi::CallbackInfo& info);     // map_batch_stream.cc
  Napi::Value UpdateBatch(const Napi::CallbackInfo& info);           // map_batch_write.cc
  Napi::Value DeleteBatch(const Napi::CallbackInfo& info);           // map_batch_write.cc

  Napi::Value ReadBatch(const Napi::CallbackInfo& info, bool andDelete);  // map_batch.cc
  // The map's fd, or throws CLOSED / BUSY / MAP_OPERATION_FAILED (not loaded).
  int Fd(Napi::Env env, const char* op) const;
  // Fd() held for a pool-thread job.
  FdLease Lease(Napi::Env env, const char* op) const;
  Napi::Buffer<uint8_t> Bytes(Napi::Env env, const Napi::Value& value, size_t expected, const char* what,
                              const char* op) const;
  [[noreturn]] void Fail(Napi::Env env, const char* op, int err, const std::string& message) const;
  size_t entrySize() const { return EntrySize(meta_.type, meta_.valueSize); }

  std::shared_ptr<ObjectState> state_;  // null for a pinned map
  bpf_map* map_ = nullptr;              // null for a pinned map
  std::shared_ptr<OwnedFd> own_;        // a pinned map's fd
  MapMeta meta_;                        // sizes and type, fixed once the object is open
};

}  // namespace bpfscope
