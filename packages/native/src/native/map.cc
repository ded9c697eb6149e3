#include "map.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "addon_data.h"
#include "btf_names.h"
#include "errors.h"

namespace bpfscope {

bool IsPerCpu(bpf_map_type type) {
  return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

size_t EntrySize(bpf_map_type type, uint32_t valueSize) {
  if (!IsPerCpu(type)) return valueSize;
  const int cpus = libbpf_num_possible_cpus();
  return ((static_cast<size_t>(valueSize) + 7) / 8 * 8) * static_cast<size_t>(cpus > 0 ? cpus : 1);
}

size_t EntrySize(const bpf_map* map) { return EntrySize(bpf_map__type(map), bpf_map__value_size(map)); }

MapMeta MetaOf(const bpf_map* map, const btf* types) {
  MapMeta meta;
  meta.name = bpf_map__name(map);
  meta.type = bpf_map__type(map);
  meta.keySize = bpf_map__key_size(map);
  meta.valueSize = bpf_map__value_size(map);
  meta.maxEntries = bpf_map__max_entries(map);
  meta.keyTypeId = bpf_map__btf_key_type_id(map);
  meta.valueTypeId = bpf_map__btf_value_type_id(map);
  meta.keyType = BtfTypeName(types, meta.keyTypeId);
  meta.valueType = BtfTypeName(types, meta.valueTypeId);
  const int fd = bpf_map__fd(map);
  if (fd >= 0) {
    bpf_map_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) meta.id = info.id;
  }
  return meta;
}

Napi::Object DescribeMap(Napi::Env env, const MapMeta& meta) {
  Napi::Object out = Napi::Object::New(env);
  const char* typeName = libbpf_bpf_map_type_str(meta.type);
  out.Set("name", meta.name);
  out.Set("type", typeName != nullptr ? std::string(typeName) : "unknown(" + std::to_string(meta.type) + ")");
  out.Set("keySize", meta.keySize);
  out.Set("valueSize", meta.valueSize);
  out.Set("maxEntries", meta.maxEntries);
  out.Set("perCpu", IsPerCpu(meta.type));
  out.Set("entrySize", static_cast<double>(EntrySize(meta.type, meta.valueSize)));
  out.Set("id", meta.id);
  out.Set("keyTypeId", meta.keyTypeId);
  out.Set("valueTypeId", meta.valueTypeId);
  if (!meta.keyType.empty()) out.Set("keyType", meta.keyType);
  if (!meta.valueType.empty()) out.Set("valueType", meta.valueType);
  return out;
}

void OwnedFd::Close() noexcept {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

FdLease::FdLease(std::shared_ptr<ObjectState> state, int fd) : state_(std::move(state)), fd_(fd) {
  state_->BeginWork();
}

FdLease::FdLease(int fd) : fd_(fcntl(fd, F_DUPFD_CLOEXEC, 0)), owned_(true) {}

FdLease::FdLease(FdLease&& other) noexcept : state_(std::move(other.state_)), fd_(other.fd_), owned_(other.owned_) {
  other.fd_ = -1;
  other.owned_ = false;
}

void FdLease::Release() noexcept {
  if (state_) {
    state_->EndWork();
    state_.reset();
  }
  if (owned_ && fd_ >= 0) ::close(fd_);
  owned_ = false;
  fd_ = -1;
}

namespace {

Napi::Object Construct(Napi::Env env, const AddonData::PendingMap& pending) {
  AddonData& data = GetAddonData(env);
  data.pendingMap = &pending;
  struct Reset {
    AddonData& data;
    ~Reset() { data.pendingMap = nullptr; }
  } reset{data};
  return data.mapConstructor.New({});
}

}  // namespace

Napi::Object NewMap(Napi::Env env, const std::shared_ptr<ObjectState>& object, bpf_map* map) {
  return Construct(env, AddonData::PendingMap{object, map, nullptr, nullptr});
}

Napi::Object NewPinnedMap(Napi::Env env, std::shared_ptr<OwnedFd> fd, const MapMeta& meta) {
  return Construct(env, AddonData::PendingMap{nullptr, nullptr, std::move(fd), &meta});
}

Napi::Function BpfMapWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfMap",
                     {
                         InstanceMethod<&BpfMapWrap::Info>("info"),
                         InstanceMethod<&BpfMapWrap::Lookup>("lookup"),
                         InstanceMethod<&BpfMapWrap::Update>("update"),
                         InstanceMethod<&BpfMapWrap::Delete>("delete"),
                         InstanceMethod<&BpfMapWrap::NextKey>("nextKey"),
                         InstanceMethod<&BpfMapWrap::Pin>("pin"),
                         InstanceMethod<&BpfMapWrap::Btf>("btf"),
                         InstanceMethod<&BpfMapWrap::Close>("close"),
                         InstanceMethod<&BpfMapWrap::LookupBatch>("lookupBatch"),
                         InstanceMethod<&BpfMapWrap::LookupAndDeleteBatch>("lookupAndDeleteBatch"),
                         InstanceMethod<&BpfMapWrap::ReadArray>("readArray"),
                         InstanceMethod<&BpfMapWrap::LookupBatchStream>("lookupBatchStream"),
                         InstanceMethod<&BpfMapWrap::UpdateBatch>("updateBatch"),
                         InstanceMethod<&BpfMapWrap::DeleteBatch>("deleteBatch"),
                     });
}

BpfMapWrap::BpfMapWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfMapWrap>(info) {
  const AddonData::PendingMap* pending = GetAddonData(info.Env()).pendingMap;
  if (pending == nullptr) ThrowInvalid(info.Env(), "BpfMap objects are created by BpfObject.map() or openPinnedMap()");
  state_ = pending->state;
  map_ = pending->map;
  own_ = pending->fd;
  meta_ = map_ != nullptr ? MetaOf(map_, bpf_object__btf(state_->obj)) : *pending->meta;
}

void BpfMapWrap::Fail(Napi::Env env, const char* op, int err, const std::string& message) const {
  ThrowFailure(env, Failure{kMapFailed, op, err, message, ""});
}

int BpfMapWrap::Fd(Napi::Env env, const char* op) const {
  if (own_) {
    if (own_->fd < 0) ThrowFailure(env, Failure{kClosed, op, 0, "map " + meta_.name + " is closed", ""});
    return own_->fd;
  }
  if (!state_->open()) ThrowFailure(env, Failure{kClosed, op, 0, "the object of map " + meta_.name + " is closed", ""});
  if (state_->loading) ThrowFailure(env, Failure{kBusy, op, EBUSY, "the object is being loaded", ""});
  const int fd = bpf_map__fd(map_);
  if (fd < 0) Fail(env, op, EBADF, "the map does not exist in the kernel yet: load the object first");
  return fd;
}

FdLease BpfMapWrap::Lease(Napi::Env env, const char* op) const {
  const int fd = Fd(env, op);
  if (own_) {
    FdLease lease(fd);
    if (lease.fd() < 0) Fail(env, op, PositiveErrno(0), "cannot duplicate the map's fd");
    return lease;
  }
  return FdLease(state_, fd);
}

Napi::Buffer<uint8_t> BpfMapWrap::Bytes(Napi::Env env, const Napi::Value& value, size_t expected, const char* what,
                                        const char* op) const {
  if (!value.IsBuffer()) ThrowInvalid(env, std::string(what) + " must be a Buffer");
  auto buffer = value.As<Napi::Buffer<uint8_t>>();
  if (buffer.Length() != expected) {
    Fail(env, op, EINVAL,
         std::string(what) + " is " + std::to_string(buffer.Length()) + " bytes, the map expects " +
             std::to_string(expected));
  }
  return buffer;
}

Napi::Value BpfMapWrap::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (own_) {
    if (own_->fd < 0) ThrowFailure(env, Failure{kClosed, "info", 0, "map " + meta_.name + " is closed", ""});
    return DescribeMap(env, meta_);
  }
  if (!state_->open()) ThrowFailure(env, Failure{kClosed, "info", 0, "the object of map " + meta_.name + " is closed", ""});
  return DescribeMap(env, MetaOf(map_, bpf_object__btf(state_->obj)));
}

Napi::Value BpfMapWrap::Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_lookup_elem");
  auto key = Bytes(env, info[0], meta_.keySize, "key", "bpf_map_lookup_elem");
  auto value = Napi::Buffer<uint8_t>::New(env, entrySize());
  if (bpf_map_lookup_elem(fd, key.Data(), value.Data()) != 0) {
    const int err = errno;
    if (err == ENOENT) return env.Undefined();
    Fail(env, "bpf_map_lookup_elem", err, "lookup failed");
  }
  return value;
}

void BpfMapWrap::Update(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_update_elem");
  auto key = Bytes(env, info[0], meta_.keySize, "key", "bpf_map_update_elem");
  auto value = Bytes(env, info[1], entrySize(), "value", "bpf_map_update_elem");
  const uint64_t flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0;
  if (bpf_map_update_elem(fd, key.Data(), value.Data(), flags) != 0) {
    const int err = errno;
    Fail(env, "bpf_map_update_elem", err, err == E2BIG ? "the map is full" : "update failed");
  }
}

Napi::Value BpfMapWrap::Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_delete_elem");
  auto key = Bytes(env, info[0], meta_.keySize, "key", "bpf_map_delete_elem");
  if (bpf_map_delete_elem(fd, key.Data()) != 0) {
    const int err = errno;
    if (err == ENOENT) return Napi::Boolean::New(env, false);
    Fail(env, "bpf_map_delete_elem", err, "delete failed");
  }
  return Napi::Boolean::New(env, true);
}

// nextKey(prev?: Buffer): the key after `prev` (the first key without it), or
// undefined at the end.
Napi::Value BpfMapWrap::NextKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_get_next_key");
  const bool first = info.Length() < 1 || info[0].IsUndefined();
  const void* prev = nullptr;
  if (!first) prev = Bytes(env, info[0], meta_.keySize, "key", "bpf_map_get_next_key").Data();
  auto next = Napi::Buffer<uint8_t>::New(env, meta_.keySize);
  if (bpf_map_get_next_key(fd, prev, next.Data()) != 0) {
    const int err = errno;
    if (err == ENOENT) return env.Undefined();
    Fail(env, "bpf_map_get_next_key", err, "iterating the keys failed");
  }
  return next;
}

void BpfMapWrap::Pin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_obj_pin");
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, "pin(path: string)");
  const std::string path = info[0].As<Napi::String>();
  if (bpf_obj_pin(fd, path.c_str()) != 0) Fail(env, "bpf_obj_pin", errno, "cannot pin the map at " + path);
}

// The raw BTF that keyTypeId and valueTypeId refer to, or undefined.
Napi::Value BpfMapWrap::Btf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Fd(env, "btf__raw_data");
  const btf* types = own_ ? own_->types.get() : bpf_object__btf(state_->obj);
  if (types == nullptr) return env.Undefined();
  __u32 size = 0;
  const void* raw = btf__raw_data(types, &size);
  if (raw == nullptr) return env.Undefined();
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, size);
  std::memcpy(out.Data(), raw, size);
  return out;
}

// Closes a pinned map's fd; maps of an object close with their object.
void BpfMapWrap::Close(const Napi::CallbackInfo&) {
  if (own_) own_->Close();
}

}  // namespace bpfscope
