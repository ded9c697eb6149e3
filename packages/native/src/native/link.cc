#include "link.h"

#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "addon_data.h"
#include "errors.h"
#include "log_capture.h"

namespace bpfscope {
namespace {

std::shared_ptr<LinkState> Wrap(bpf_link* raw, const bpf_program* prog, std::string attachPoint) {
  auto link = std::make_shared<LinkState>();
  link->link = raw;
  link->program = bpf_program__name(prog);
  link->attachPoint = std::move(attachPoint);
  return link;
}

[[noreturn]] void ThrowAttach(Napi::Env env, const char* op, int err, const bpf_program* prog,
                              const std::string& attachPoint, LogCapture& capture) {
  ThrowFailure(env, Failure{kAttachFailed, op, err,
                            std::string("cannot attach ") + bpf_program__name(prog) + " to " + attachPoint,
                            capture.Take()});
}

void RequireLoaded(Napi::Env env, const char* op, const bpf_program* prog, const std::string& attachPoint) {
  if (bpf_program__fd(prog) < 0) {
    ThrowFailure(env, Failure{kAttachFailed, op, EBADF,
                              std::string("program ") + bpf_program__name(prog) + " (" + attachPoint +
                                  ") is not loaded: load the object first, with the program's autoload on",
                              ""});
  }
}

}  // namespace

std::shared_ptr<LinkState> AttachAuto(Napi::Env env, bpf_program* prog) {
  const std::string attachPoint = bpf_program__section_name(prog);
  RequireLoaded(env, "bpf_program__attach", prog, attachPoint);
  LogCapture capture;
  bpf_link* raw = bpf_program__attach(prog);
  if (raw == nullptr) ThrowAttach(env, "bpf_program__attach", PositiveErrno(0), prog, attachPoint, capture);
  return Wrap(raw, prog, attachPoint);
}

std::string UprobePoint(const UprobeTarget& target) {
  std::string point = std::string(target.retprobe ? "uretprobe:" : "uprobe:") + target.binaryPath;
  if (!target.functionName.empty()) return point + ":" + target.functionName;
  char hex[32];
  snprintf(hex, sizeof(hex), "+0x%llx", static_cast<unsigned long long>(target.offset));
  return point + hex;
}

std::shared_ptr<LinkState> AttachUprobeTo(Napi::Env env, bpf_program* prog, const UprobeTarget& target) {
  const std::string attachPoint = UprobePoint(target);
  RequireLoaded(env, "bpf_program__attach_uprobe_opts", prog, attachPoint);
  bpf_uprobe_opts opts{};
  opts.sz = sizeof(opts);
  opts.retprobe = target.retprobe;
  // With a name libbpf resolves the symbol from the ELF symbol tables; without
  // one the offset is used as it is.
  const bool byName = !target.functionName.empty();
  opts.func_name = byName ? target.functionName.c_str() : nullptr;
  const size_t offset = byName ? 0 : static_cast<size_t>(target.offset);
  LogCapture capture;
  bpf_link* raw = bpf_program__attach_uprobe_opts(prog, target.pid, target.binaryPath.c_str(), offset, &opts);
  if (raw == nullptr) {
    ThrowAttach(env, "bpf_program__attach_uprobe_opts", PositiveErrno(0), prog, attachPoint, capture);
  }
  return Wrap(raw, prog, attachPoint);
}

std::shared_ptr<LinkState> AttachCpuClock(Napi::Env env, bpf_program* prog, int cpu, unsigned frequencyHz) {
  const std::string attachPoint = "perf_event:cpu-clock:cpu" + std::to_string(cpu);
  RequireLoaded(env, "bpf_program__attach_perf_event", prog, attachPoint);
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.freq = 1;
  attr.sample_freq = frequencyHz;
  LogCapture capture;
  const int pfd = static_cast<int>(syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
  if (pfd < 0) ThrowAttach(env, "perf_event_open", PositiveErrno(0), prog, attachPoint, capture);
  bpf_link* raw = bpf_program__attach_perf_event(prog, pfd);
  if (raw == nullptr) {
    const int err = PositiveErrno(0);
    close(pfd);  // on success the link owns the perf event fd
    ThrowAttach(env, "bpf_program__attach_perf_event", err, prog, attachPoint, capture);
  }
  return Wrap(raw, prog, attachPoint);
}

Napi::Object NewLink(Napi::Env env, const std::shared_ptr<ObjectState>& object, std::shared_ptr<LinkState> link) {
  auto& links = object->links;
  links.erase(std::remove_if(links.begin(), links.end(), [](const auto& l) { return !l->alive(); }), links.end());
  links.push_back(link);
  AddonData& data = GetAddonData(env);
  data.pendingLink = &link;
  struct Reset {
    AddonData& data;
    ~Reset() { data.pendingLink = nullptr; }
  } reset{data};
  return data.linkConstructor.New({});
}

Napi::Function BpfLinkWrap::Init(Napi::Env env) {
  return DefineClass(env, "BpfLink",
                     {
                         InstanceAccessor<&BpfLinkWrap::Program>("program"),
                         InstanceAccessor<&BpfLinkWrap::AttachPoint>("attachPoint"),
                         InstanceAccessor<&BpfLinkWrap::Alive>("alive"),
                         InstanceMethod<&BpfLinkWrap::Destroy>("destroy"),
                         InstanceMethod<&BpfLinkWrap::ReadIterator>("readIterator"),
                         InstanceMethod<&BpfLinkWrap::ReadIteratorSync>("readIteratorSync"),
                     });
}

BpfLinkWrap::BpfLinkWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfLinkWrap>(info) {
  const std::shared_ptr<LinkState>* pending = GetAddonData(info.Env()).pendingLink;
  if (pending == nullptr) ThrowInvalid(info.Env(), "BpfLink objects are created by BpfObject.attach*()");
  link_ = *pending;
}

Napi::Value BpfLinkWrap::Program(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), link_->program);
}

Napi::Value BpfLinkWrap::AttachPoint(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), link_->attachPoint);
}

Napi::Value BpfLinkWrap::Alive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), link_->alive());
}

void BpfLinkWrap::Destroy(const Napi::CallbackInfo&) { link_->Destroy(); }

}  // namespace bpfscope
