// Helper probes and a load probe of the `tracing` program type, done here
// rather than with libbpf 1.1's: its helper probe does not recognise the
// refusal message of newer kernels (6.18 here), so it answers "supported" for
// every helper, and it cannot probe tracing programs, which need a BTF attach
// target; this file gives them a tp_btf target on sched_switch (the attach
// type that works on locked-down kernels too). Same method as libbpf
// otherwise: load a two-instruction program and read the verifier's verdict.
#include "probes_helpers.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "errors.h"

namespace bpfscope {
namespace {

// Helper names by id, from the kernel headers the addon is built with.
#define BPFSCOPE_HELPER_NAME(x) "bpf_" #x
const char* const kHelperNames[] = {__BPF_FUNC_MAPPER(BPFSCOPE_HELPER_NAME)};
#undef BPFSCOPE_HELPER_NAME
constexpr int kHelperCount = sizeof(kHelperNames) / sizeof(kHelperNames[0]);

// Id 0 is `unspec`, not a helper.
int HelperId(const std::string& name) {
  for (int i = 1; i < kHelperCount; ++i) {
    if (name == kHelperNames[i]) return i;
  }
  return -1;
}

bool FindProgType(const std::string& name, bpf_prog_type* found) {
  for (uint32_t i = 0;; ++i) {
    const char* known = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(i));
    if (known == nullptr) return false;
    if (name == known) {
      *found = static_cast<bpf_prog_type>(i);
      return true;
    }
  }
}

// The vmlinux BTF id of sched_switch's tp_btf target, or a negative errno.
int SchedSwitchBtfId() {
  btf* vmlinux = btf__load_vmlinux_btf();
  if (vmlinux == nullptr) return -PositiveErrno(0);
  const int id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
  btf__free(vmlinux);
  return id;
}

// Loads `call helper; exit` (or `r0 = 0; exit` when helper is 0) as a program
// of `type`, with the attach settings libbpf's own probes use; `tracing` is a
// tp_btf program on sched_switch. Returns 1 when it loaded, 0 when the kernel
// refused it, or a negative errno when the probe could not run: EPERM, or
// EOPNOTSUPP for types that need a target of their own (ext, lsm, struct_ops).
int LoadProbe(bpf_prog_type type, int helper, char* log, size_t logSize) {
  bpf_prog_load_opts opts{};
  opts.sz = sizeof(opts);
  switch (type) {
    case BPF_PROG_TYPE_TRACING: {
      const int target = SchedSwitchBtfId();
      if (target < 0) return target;
      opts.expected_attach_type = BPF_TRACE_RAW_TP;
      opts.attach_btf_id = static_cast<__u32>(target);
      break;
    }
    case BPF_PROG_TYPE_EXT:
    case BPF_PROG_TYPE_LSM:
    case BPF_PROG_TYPE_STRUCT_OPS:
      return -EOPNOTSUPP;
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
      opts.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
      break;
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
      opts.expected_attach_type = BPF_CGROUP_GETSOCKOPT;
      break;
    case BPF_PROG_TYPE_SK_LOOKUP:
      opts.expected_attach_type = BPF_SK_LOOKUP;
      break;
    case BPF_PROG_TYPE_LIRC_MODE2:
      opts.expected_attach_type = BPF_LIRC_MODE2;
      break;
    case BPF_PROG_TYPE_SYSCALL:
      opts.prog_flags = BPF_F_SLEEPABLE;
      break;
    default:
      break;
  }
  bpf_insn insns[2] = {};
  if (helper > 0) {
    insns[0].code = BPF_JMP | BPF_CALL;
    insns[0].imm = helper;
  } else {
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
  }
  insns[1].code = BPF_JMP | BPF_EXIT;
  log[0] = '\0';
  opts.log_buf = log;
  opts.log_size = static_cast<__u32>(logSize);
  opts.log_level = 1;
  const int fd = bpf_prog_load(type, nullptr, "GPL", insns, 2, &opts);
  if (fd >= 0) {
    close(fd);
    return 1;
  }
  const int err = PositiveErrno(0);
  return err == EPERM ? -EPERM : 0;
}

int ProbeHelperId(bpf_prog_type type, int helper) {
  char log[4096];
  const int base = LoadProbe(type, 0, log, sizeof(log));
  if (base != 1) return base;
  if (LoadProbe(type, helper, log, sizeof(log)) == 1) return 1;
  // The verifier's words for a helper it does not know ("invalid func"), or
  // does not allow for this program type ("unknown func" on older kernels,
  // "program of this type cannot use helper" on newer ones such as 6.18;
  // libbpf 1.1 knows only the first two). Any other complaint, about the arguments, means the helper is
  // there.
  for (const char* refusal : {"invalid func ", "unknown func ", "cannot use helper "}) {
    if (std::strstr(log, refusal) != nullptr) return 0;
  }
  return 1;
}

Napi::Value HelperNames(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  for (int i = 1; i < kHelperCount; ++i) out.Set(static_cast<uint32_t>(i - 1), kHelperNames[i]);
  return out;
}

// probeHelper(progType, helperName): 1, 0, a negative errno, or undefined
// when either name is unknown.
Napi::Value ProbeHelper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    ThrowInvalid(env, "probeHelper(progType: string, helper: string)");
  }
  bpf_prog_type type;
  const int helper = HelperId(info[1].As<Napi::String>());
  if (!FindProgType(info[0].As<Napi::String>(), &type) || helper < 0) return env.Undefined();
  return Napi::Number::New(env, ProbeHelperId(type, helper));
}

}  // namespace

int ProbeProgTypeWithTracing(bpf_prog_type type) {
  if (type != BPF_PROG_TYPE_TRACING) return libbpf_probe_bpf_prog_type(type, nullptr);
  char log[4096];
  return LoadProbe(type, 0, log, sizeof(log));
}

void RegisterHelperProbes(Napi::Env env, Napi::Object exports) {
  exports.Set("helperNames", Napi::Function::New(env, HelperNames, "helperNames"));
  exports.Set("probeHelper", Napi::Function::New(env, ProbeHelper, "probeHelper"));
}

}  // namespace bpfscope
