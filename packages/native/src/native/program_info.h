// Kernel-side facts about a loaded program, read by fd: id, tag, and the run
// statistics the kernel keeps while BPF_ENABLE_STATS is on.
#pragma once

#include <napi.h>

namespace bpfscope {

// bpf_obj_get_info_by_fd on a program fd as
// { id, name, type, tag, runCount, runTimeNs, recursionMisses, verifiedInsns }.
// Throws a failure with `code` when the kernel refuses.
Napi::Object DescribeProgramFd(Napi::Env env, int fd, const char* code);

// "prog", "map", "link", or the fd's /proc/self/fd target when it is no BPF object.
std::string BpfFdKind(int fd);

}  // namespace bpfscope
