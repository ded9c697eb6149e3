#include "object.h"

#include <bpf/libbpf.h>
#include <malloc.h>

#include <cerrno>
#include <cstring>

#include "addon_data.h"
#include "errors.h"
#include "link.h"
#include "log_capture.h"
#include "map.h"

namespace bpfscope {
namespace {

// bpf_object__load on a pool thread. The completion callback runs on the JS
// thread, ends the job on the object and settles the promise.
class LoadWorker : public Napi::AsyncWorker {
 public:
  LoadWorker(Napi::Env env, std::shared_ptr<ObjectState> state)
      : Napi::AsyncWorker(env, "bpfscope:load"),
        state_(std::move(state)),
        obj_(state_->obj),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    LogCapture capture;
    int ret = bpf_object__load(obj_);
    err_ = ret == 0 ? 0 : PositiveErrno(ret);
    log_ = capture.Take();
    // libbpf parsed the kernel's BTF (~5 MB) for this load and freed it again.
    // Freeing that one big block also raises glibc's mmap and trim thresholds,
    // so the freed pages would stay in the process for good: hand them back now.
    // (This releases free memory only; no allocator setting is changed.)
    malloc_trim(0);
  }

  void OnOK() override {
    // Bookkeeping first: nothing below may leave the object marked busy.
    const bool closed = state_->closing;
    state_->loading = false;
    if (err_ == 0) state_->loaded = true; else state_->loadFailed = true;
    state_->EndWork();
    Napi::Env env = Env();
    if (closed) {
      deferred_.Reject(ToJsError(env, Failure{kClosed, "bpf_object__load", 0,
                                               "the object was closed while it was loading", log_}).Value());
    } else if (err_ != 0) {
      deferred_.Reject(ToJsError(env, Failure{kLoadFailed, "bpf_object__load", err_,
                                               "the kernel or libbpf refused the object", log_}).Value());
    } else {
      deferred_.Resolve(env.Undefined());
    }
  }

 private:
  std::shared_ptr<ObjectState> state_;
  bpf_object* obj_;
  Napi::Promise::Deferred deferred_;
  int err_ = 0;
  std::string log_;
};

Napi::String TypeName(Napi::Env env, const char* name, unsigned value) {
  return Napi::String::New(env, name != nullptr ? name : "unknown(" + std::to_string(value) + ")");
}

// libbpf's attach type name where the program type uses one; otherwise (attach
// type 0 on kprobe, raw_tp, perf_event, ... programs) the section prefix.
std::string AttachTypeName(const bpf_program* prog) {
  const bpf_attach_type attach = bpf_program__expected_attach_type(prog);
  switch (bpf_program__type(prog)) {
    case BPF_PROG_TYPE_KPROBE:
    case BPF_PROG_TYPE_TRACEPOINT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
    case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
    case BPF_PROG_TYPE_PERF_EVENT:
    case BPF_PROG_TYPE_SOCKET_FILTER:
    case BPF_PROG_TYPE_SCHED_CLS:
    case BPF_PROG_TYPE_SCHED_ACT:
      if (attach == 0) {
        std::string section = bpf_program__section_name(prog);
        return section.substr(0, section.find('/'));
      }
      break;
    default:
      break;
  }
  const char* name = libbpf_bpf_attach_type_str(attach);
  return name != nullptr ? name : "unknown(" + std::to_string(attach) + ")";
}

}  // namespace

Napi::Function BpfObjectWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfObject",
                     {
                         InstanceAccessor<&BpfObjectWrap::Name>("name"),
                         InstanceMethod<&BpfObjectWrap::Load>("load"),
                         InstanceMethod<&BpfObjectWrap::Programs>("programs"),
                         InstanceMethod<&BpfObjectWrap::Maps>("maps"),
                         InstanceMethod<&BpfObjectWrap::SetAutoload>("setAutoload"),
                         InstanceMethod<&BpfObjectWrap::Attach>("attach"),
                         InstanceMethod<&BpfObjectWrap::AttachUprobe>("attachUprobe"),
                         InstanceMethod<&BpfObjectWrap::AttachPerfEvent>("attachPerfEvent"),
                         InstanceMethod<&BpfObjectWrap::Map>("map"),
                         InstanceMethod<&BpfObjectWrap::Close>("close"),
                         InstanceMethod<&BpfObjectWrap::Btf>("btf"),
                         InstanceMethod<&BpfObjectWrap::InitialValue>("initialValue"),
                         InstanceMethod<&BpfObjectWrap::SetInitialValue>("setInitialValue"),
                         InstanceMethod<&BpfObjectWrap::ProgramStats>("programStats"),
                         InstanceMethod<&BpfObjectWrap::PinProgram>("pinProgram"),
                     });
}

BpfObjectWrap::BpfObjectWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<BpfObjectWrap>(info), state_(std::make_shared<ObjectState>()) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsString()) {
    ThrowInvalid(env, "BpfObject(image: Buffer, name: string, btfPath?: string)");
  }
  auto buffer = info[0].As<Napi::Buffer<uint8_t>>();
  state_->name = info[1].As<Napi::String>().Utf8Value();
  std::string btfPath;
  const bool hasBtf = info.Length() > 2 && info[2].IsString();
  if (hasBtf) btfPath = info[2].As<Napi::String>().Utf8Value();

  // TypeScript checked the ELF structure; this only keeps libbpf from ever
  // seeing something that is not ELF at all.
  static const uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
  if (buffer.Length() < 64 || std::memcmp(buffer.Data(), kMagic, 4) != 0) {
    ThrowFailure(env, Failure{kLoadFailed, "bpf_object__open_mem", EINVAL, "the image is not an ELF file", ""});
  }
  state_->image.assign(buffer.Data(), buffer.Data() + buffer.Length());

  bpf_object_open_opts opts{};
  opts.sz = sizeof(opts);
  opts.object_name = state_->name.c_str();
  if (hasBtf) opts.btf_custom_path = btfPath.c_str();

  LogCapture capture;
  bpf_object* obj = bpf_object__open_mem(state_->image.data(), state_->image.size(), &opts);
  if (obj == nullptr) {
    const int err = PositiveErrno(0);
    ThrowFailure(env, Failure{kLoadFailed, "bpf_object__open_mem", err, "libbpf could not open the object", capture.Take()});
  }
  state_->obj = obj;
  GetAddonData(env).Track(state_);
  napi_type_tag_object(env, info.This(), &kBpfObjectTag);
}

void BpfObjectWrap::RequireUsable(Napi::Env env, const char* op) const {
  if (!state_->open()) ThrowFailure(env, Failure{kClosed, op, 0, "the object is closed", ""});
  if (state_->loading) ThrowFailure(env, Failure{kBusy, op, EBUSY, "the object is being loaded", ""});
}

bpf_program* BpfObjectWrap::FindProgram(Napi::Env env, const std::string& name, const char* op) const {
  bpf_program* prog = bpf_object__find_program_by_name(state_->obj, name.c_str());
  if (prog == nullptr) ThrowInvalid(env, std::string(op) + ": no program named " + name);
  return prog;
}

Napi::Value BpfObjectWrap::Name(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), state_->name);
}

Napi::Value BpfObjectWrap::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_object__load");
  if (state_->loaded || state_->loadFailed) {
    ThrowFailure(env, Failure{kLoadFailed, "bpf_object__load", EALREADY, "an object can be loaded only once", ""});
  }
  auto* worker = new LoadWorker(env, state_);
  state_->loading = true;
  state_->BeginWork();
  worker->Queue();
  return worker->Promise();
}

Napi::Value BpfObjectWrap::Programs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_object__next_program");
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_program* prog = nullptr;
  while ((prog = bpf_object__next_program(state_->obj, prog)) != nullptr) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("name", bpf_program__name(prog));
    p.Set("section", bpf_program__section_name(prog));
    const bpf_prog_type type = bpf_program__type(prog);
    p.Set("type", TypeName(env, libbpf_bpf_prog_type_str(type), type));
    p.Set("attachType", AttachTypeName(prog));
    p.Set("autoload", bpf_program__autoload(prog));
    out.Set(i++, p);
  }
  return out;
}

Napi::Value BpfObjectWrap::Maps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_object__next_map");
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_map* map = nullptr;
  while ((map = bpf_object__next_map(state_->obj, map)) != nullptr) {
    out.Set(i++, DescribeMap(env, MetaOf(map, bpf_object__btf(state_->obj))));
  }
  return out;
}

void BpfObjectWrap::SetAutoload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_program__set_autoload");
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean()) {
    ThrowInvalid(env, "setAutoload(program: string, on: boolean)");
  }
  bpf_program* prog = FindProgram(env, info[0].As<Napi::String>(), "bpf_program__set_autoload");
  const int ret = bpf_program__set_autoload(prog, info[1].As<Napi::Boolean>());
  if (ret != 0) {
    ThrowFailure(env, Failure{kLoadFailed, "bpf_program__set_autoload", PositiveErrno(ret),
                              "autoload can only be changed before load", ""});
  }
}

Napi::Value BpfObjectWrap::Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_program__attach");
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, "attach(program: string)");
  bpf_program* prog = FindProgram(env, info[0].As<Napi::String>(), "bpf_program__attach");
  return NewLink(env, state_, AttachAuto(env, prog));
}

Napi::Value BpfObjectWrap::AttachUprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_program__attach_uprobe_opts");
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString() ||
      !info[3].IsNumber() || !info[4].IsBoolean()) {
    ThrowInvalid(env, "attachUprobe(program, binaryPath, functionName, pid, retprobe, offset?)");
  }
  bpf_program* prog = FindProgram(env, info[0].As<Napi::String>(), "bpf_program__attach_uprobe_opts");
  UprobeTarget target{info[1].As<Napi::String>(), info[2].As<Napi::String>(),
                      info[3].As<Napi::Number>().Int32Value(), info[4].As<Napi::Boolean>()};
  // The offset arrives as a number (TypeScript checked it is a safe integer).
  if (info.Length() > 5 && info[5].IsNumber()) target.offset = static_cast<uint64_t>(info[5].As<Napi::Number>().Int64Value());
  if (target.functionName.empty() && target.offset == 0) ThrowInvalid(env, "attachUprobe: a function name or a non-zero offset");
  return NewLink(env, state_, AttachUprobeTo(env, prog, target));
}

Napi::Value BpfObjectWrap::AttachPerfEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_program__attach_perf_event");
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
    ThrowInvalid(env, "attachPerfEvent(program, cpu, frequencyHz)");
  }
  bpf_program* prog = FindProgram(env, info[0].As<Napi::String>(), "bpf_program__attach_perf_event");
  return NewLink(env, state_,
                 AttachCpuClock(env, prog, info[1].As<Napi::Number>().Int32Value(),
                                info[2].As<Napi::Number>().Uint32Value()));
}

Napi::Value BpfObjectWrap::Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireUsable(env, "bpf_object__find_map_by_name");
  if (info.Length() < 1 || !info[0].IsString()) ThrowInvalid(env, "map(name: string)");
  const std::string name = info[0].As<Napi::String>();
  bpf_map* map = bpf_object__find_map_by_name(state_->obj, name.c_str());
  if (map == nullptr) return env.Undefined();
  return NewMap(env, state_, map);
}

void BpfObjectWrap::Close(const Napi::CallbackInfo&) { state_->RequestClose(); }

}  // namespace bpfscope
