#pragma once

#include <sys/types.h>

#include <cstdint>

namespace bpfscope {

// Drops the capabilities in `mask` (capset's two words) from thread `tid` of this process,
// which blocks every signal, by making it call capset itself under ptrace from a child
// process (and PR_CAPBSET_DROP when `bounding`). Call it while the calling thread still
// holds the capabilities (the child needs them to trace the thread). Returns 0 when the
// thread dropped them, else an errno: EOPNOTSUPP when the thread is not inside a system
// call or the machine is not x86_64, EPERM when tracing is refused, ETIMEDOUT when the thread
// did not stop within waitMs (nothing of it changed). Once it stopped, the exchange is
// finished whatever it takes: its registers must go back.
int DropByPtrace(pid_t tid, const uint32_t mask[2], bool bounding, long waitMs);

}  // namespace bpfscope
