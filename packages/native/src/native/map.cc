#include "map.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "addon_data.h"
#include "errors.h"

namespace bpfscope {

bool IsPerCpu(bpf_map_type type) {
  return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

size_t EntrySize(const bpf_map* map) {
  const size_t valueSize = bpf_map__value_size(map);
  if (!IsPerCpu(bpf_map__type(map))) return valueSize;
  const int cpus = libbpf_num_possible_cpus();
  return ((valueSize + 7) / 8 * 8) * static_cast<size_t>(cpus > 0 ? cpus : 1);
}

Napi::Object DescribeMap(Napi::Env env, const bpf_map* map) {
  Napi::Object out = Napi::Object::New(env);
  const bpf_map_type type = bpf_map__type(map);
  const char* typeName = libbpf_bpf_map_type_str(type);
  out.Set("name", bpf_map__name(map));
  out.Set("type", typeName != nullptr ? std::string(typeName) : "unknown(" + std::to_string(type) + ")");
  out.Set("keySize", bpf_map__key_size(map));
  out.Set("valueSize", bpf_map__value_size(map));
  out.Set("maxEntries", bpf_map__max_entries(map));
  out.Set("perCpu", IsPerCpu(type));
  out.Set("entrySize", static_cast<double>(EntrySize(map)));
  return out;
}

Napi::Object NewMap(Napi::Env env, const std::shared_ptr<ObjectState>& object, bpf_map* map) {
  AddonData& data = GetAddonData(env);
  const AddonData::PendingMap pending{object, map};
  data.pendingMap = &pending;
  struct Reset {
    AddonData& data;
    ~Reset() { data.pendingMap = nullptr; }
  } reset{data};
  return data.mapConstructor.New({});
}

Napi::Function BpfMapWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfMap",
                     {
                         InstanceMethod<&BpfMapWrap::Info>("info"),
                         InstanceMethod<&BpfMapWrap::Lookup>("lookup"),
                         InstanceMethod<&BpfMapWrap::Update>("update"),
                         InstanceMethod<&BpfMapWrap::Delete>("delete"),
                         InstanceMethod<&BpfMapWrap::LookupBatch>("lookupBatch"),
                         InstanceMethod<&BpfMapWrap::ReadArray>("readArray"),
                     });
}

BpfMapWrap::BpfMapWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfMapWrap>(info) {
  const AddonData::PendingMap* pending = GetAddonData(info.Env()).pendingMap;
  if (pending == nullptr) ThrowInvalid(info.Env(), "BpfMap objects are created by BpfObject.map()");
  state_ = pending->state;
  map_ = pending->map;
  name_ = bpf_map__name(map_);
}

void BpfMapWrap::Fail(Napi::Env env, const char* op, int err, const std::string& message) const {
  ThrowFailure(env, Failure{kMapFailed, op, err, message, ""});
}

int BpfMapWrap::Fd(Napi::Env env, const char* op) const {
  if (!state_->open()) ThrowFailure(env, Failure{kClosed, op, 0, "the object of map " + name_ + " is closed", ""});
  if (state_->loading) ThrowFailure(env, Failure{kBusy, op, EBUSY, "the object is being loaded", ""});
  const int fd = bpf_map__fd(map_);
  if (fd < 0) Fail(env, op, EBADF, "the map does not exist in the kernel yet: load the object first");
  return fd;
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
  if (!state_->open()) ThrowFailure(env, Failure{kClosed, "info", 0, "the object of map " + name_ + " is closed", ""});
  return DescribeMap(env, map_);
}

Napi::Value BpfMapWrap::Lookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_lookup_elem");
  auto key = Bytes(env, info[0], bpf_map__key_size(map_), "key", "bpf_map_lookup_elem");
  auto value = Napi::Buffer<uint8_t>::New(env, EntrySize(map_));
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
  auto key = Bytes(env, info[0], bpf_map__key_size(map_), "key", "bpf_map_update_elem");
  auto value = Bytes(env, info[1], EntrySize(map_), "value", "bpf_map_update_elem");
  const uint64_t flags = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int64Value() : 0;
  if (bpf_map_update_elem(fd, key.Data(), value.Data(), flags) != 0) {
    const int err = errno;
    Fail(env, "bpf_map_update_elem", err, err == E2BIG ? "the map is full" : "update failed");
  }
}

Napi::Value BpfMapWrap::Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = Fd(env, "bpf_map_delete_elem");
  auto key = Bytes(env, info[0], bpf_map__key_size(map_), "key", "bpf_map_delete_elem");
  if (bpf_map_delete_elem(fd, key.Data()) != 0) {
    const int err = errno;
    if (err == ENOENT) return Napi::Boolean::New(env, false);
    Fail(env, "bpf_map_delete_elem", err, "delete failed");
  }
  return Napi::Boolean::New(env, true);
}

}  // namespace bpfscope
