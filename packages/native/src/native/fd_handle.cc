#include "fd_handle.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "addon_data.h"
#include "btf_names.h"
#include "errors.h"
#include "map.h"
#include "program_info.h"

namespace bpfscope {
namespace {

// Hand-over to the constructor during NewFd() (as for maps and links).
struct PendingFd {
  int fd;
  const char* kind;
};
thread_local const PendingFd* pendingFd = nullptr;

Napi::Object NewFd(Napi::Env env, int fd, const char* kind) {
  const PendingFd pending{fd, kind};
  pendingFd = &pending;
  struct Reset {
    ~Reset() { pendingFd = nullptr; }
  } reset;
  return GetAddonData(env).fdConstructor.New({});
}

std::string PathArg(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(info.Env(), usage);
  return info[0].As<Napi::String>();
}

// bpf_obj_get(path), checked to be a `kind` ("map" or "prog").
int OpenPinned(Napi::Env env, const std::string& path, const char* kind, const char* code) {
  const int fd = bpf_obj_get(path.c_str());
  if (fd < 0) ThrowFailure(env, Failure{code, "bpf_obj_get", PositiveErrno(fd), "cannot open the pinned object at " + path, ""});
  const std::string actual = BpfFdKind(fd);
  if (actual != kind) {
    close(fd);
    ThrowFailure(env, Failure{code, "bpf_obj_get", EINVAL,
                              path + " is a pinned " + actual + ", not a " + (std::string(kind) == "prog" ? "program" : kind), ""});
  }
  return fd;
}

Napi::Value OpenPinnedMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = PathArg(info, "openPinnedMap(path: string)");
  auto owned = std::make_shared<OwnedFd>();
  owned->fd = OpenPinned(env, path, "map", kMapFailed);
  bpf_map_info mi{};
  __u32 len = sizeof(mi);
  if (bpf_obj_get_info_by_fd(owned->fd, &mi, &len) != 0) {
    ThrowFailure(env, Failure{kMapFailed, "bpf_obj_get_info_by_fd", PositiveErrno(0), "cannot describe the map at " + path, ""});
  }
  if (mi.btf_id != 0) {
    btf* types = btf__load_from_kernel_by_id(mi.btf_id);
    if (types != nullptr) owned->types = std::shared_ptr<btf>(types, btf__free);
  }
  MapMeta meta;
  meta.name = mi.name;
  meta.type = static_cast<bpf_map_type>(mi.type);
  meta.keySize = mi.key_size;
  meta.valueSize = mi.value_size;
  meta.maxEntries = mi.max_entries;
  meta.id = mi.id;
  meta.keyTypeId = mi.btf_key_type_id;
  meta.valueTypeId = mi.btf_value_type_id;
  meta.keyType = BtfTypeName(owned->types.get(), meta.keyTypeId);
  meta.valueType = BtfTypeName(owned->types.get(), meta.valueTypeId);
  return NewPinnedMap(env, owned, meta);
}

Napi::Value OpenPinnedProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = PathArg(info, "openPinnedProgram(path: string)");
  return NewFd(env, OpenPinned(env, path, "prog", kLoadFailed), "prog");
}

Napi::Value EnableRunStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) {
    ThrowFailure(env, Failure{kInvalidArgument, "bpf_enable_stats", PositiveErrno(fd),
                              "the kernel refused BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)", ""});
  }
  return NewFd(env, fd, "stats");
}

}  // namespace

Napi::Function BpfFdWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfFd",
                     {
                         InstanceAccessor<&BpfFdWrap::Kind>("kind"),
                         InstanceAccessor<&BpfFdWrap::Closed>("closed"),
                         InstanceMethod<&BpfFdWrap::ProgramInfo>("programInfo"),
                         InstanceMethod<&BpfFdWrap::Close>("close"),
                     });
}

BpfFdWrap::BpfFdWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfFdWrap>(info) {
  if (pendingFd == nullptr) ThrowInvalid(info.Env(), "BpfFd objects are created by openPinnedProgram() and enableRunStats()");
  fd_ = pendingFd->fd;
  kind_ = pendingFd->kind;
}

BpfFdWrap::~BpfFdWrap() {
  if (fd_ >= 0) close(fd_);
}

Napi::Value BpfFdWrap::Kind(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), kind_); }

Napi::Value BpfFdWrap::Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), fd_ < 0); }

Napi::Value BpfFdWrap::ProgramInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) ThrowFailure(env, Failure{kClosed, "bpf_obj_get_info_by_fd", 0, "the program handle is closed", ""});
  if (kind_ != "prog") ThrowInvalid(env, "programInfo() needs a program fd");
  return DescribeProgramFd(env, fd_, kLoadFailed);
}

void BpfFdWrap::Close(const Napi::CallbackInfo&) {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void RegisterFdFunctions(Napi::Env env, Napi::Object exports) {
  GetAddonData(env).fdConstructor = Napi::Persistent(BpfFdWrap::Init(env));
  exports.Set("openPinnedMap", Napi::Function::New(env, OpenPinnedMap, "openPinnedMap"));
  exports.Set("openPinnedProgram", Napi::Function::New(env, OpenPinnedProgram, "openPinnedProgram"));
  exports.Set("enableRunStats", Napi::Function::New(env, EnableRunStats, "enableRunStats"));
}

}  // namespace bpfscope
