#include "program_info.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "errors.h"

namespace bpfscope {

Napi::Object DescribeProgramFd(Napi::Env env, int fd, const char* code) {
  bpf_prog_info info{};
  __u32 len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
    ThrowFailure(env, Failure{code, "bpf_obj_get_info_by_fd", PositiveErrno(0), "cannot read the program's info", ""});
  }
  char tag[2 * BPF_TAG_SIZE + 1] = {0};
  for (int i = 0; i < BPF_TAG_SIZE; ++i) std::snprintf(tag + 2 * i, 3, "%02x", info.tag[i]);
  const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", info.id);
  out.Set("name", info.name);
  out.Set("type", type != nullptr ? std::string(type) : "unknown(" + std::to_string(info.type) + ")");
  out.Set("tag", tag);
  // Numbers: exact up to 2^53 runs or ns (104 days of program run time).
  out.Set("runCount", static_cast<double>(info.run_cnt));
  out.Set("runTimeNs", static_cast<double>(info.run_time_ns));
  out.Set("recursionMisses", static_cast<double>(info.recursion_misses));
  out.Set("verifiedInsns", info.verified_insns);
  return out;
}

std::string BpfFdKind(int fd) {
  char path[64];
  char target[128] = {0};
  std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(path, target, sizeof(target) - 1);
  if (n <= 0) return "unknown";
  const std::string link(target, static_cast<size_t>(n));
  for (const char* kind : {"prog", "map", "link"}) {
    if (link == std::string("anon_inode:bpf-") + kind || link == std::string("anon_inode:bpf_") + kind) return kind;
  }
  return link;
}

}  // namespace bpfscope
