// Dropping capabilities on a thread that blocks every signal (Node's SIGUSR1 watchdog does),
// which the signal broadcast of capabilities.cc cannot reach. A child process attaches to
// the thread with ptrace, stops it inside the system call it sleeps in, makes it call
// capset(2) (and PR_CAPBSET_DROP) itself, then puts it back into the same call, restarted
// as the kernel would restart it after a signal. x86_64 only; elsewhere, or when the thread
// is not inside a system call, nothing is touched and the caller reports the thread.
#include "capabilities_ptrace.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <sys/ptrace.h>
#include <sys/user.h>
#endif

namespace bpfscope {
namespace {

// What the traced thread's capset reads: in this process's memory, filled before the fork,
// so at the same address in the child that makes the thread call it.
__user_cap_header_struct g_header;
__user_cap_data_struct g_data[_LINUX_CAPABILITY_U32S_3];

// The thread's capability sets (CapInh, CapPrm, CapEff) from its status file; false if unread.
bool ReadThreadCaps(pid_t tid, uint64_t sets[3]) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/status", static_cast<int>(tid));
  FILE* f = std::fopen(path, "r");
  if (!f) return false;
  const char* keys[3] = {"CapInh:", "CapPrm:", "CapEff:"};
  int found = 0;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    for (int i = 0; i < 3; i++) {
      if (std::strncmp(line, keys[i], 7) != 0) continue;
      sets[i] = std::strtoull(line + 7, nullptr, 16);
      found++;
    }
  }
  std::fclose(f);
  return found == 3;
}

#if defined(__x86_64__)
constexpr long kRestartSys = -512, kRestartNoIntr = -513, kRestartNoHand = -514, kRestartBlock = -516;

// Waits for the traced thread's next stop; 0, or the errno (ESRCH when it died).
int WaitStop(pid_t tid) {
  int status = 0;
  if (waitpid(tid, &status, __WALL) != tid) return errno;
  return WIFSTOPPED(status) ? 0 : ESRCH;
}

// Makes the stopped thread run one system call at its `syscall` instruction; its result.
long Inject(pid_t tid, const user_regs_struct& at, long nr, long a1, long a2, int* err) {
  user_regs_struct regs = at;
  regs.rax = nr;
  regs.orig_rax = -1;  // no restart of the interrupted call is applied to this one
  regs.rdi = a1;
  regs.rsi = a2;
  regs.rdx = regs.r10 = regs.r8 = regs.r9 = 0;
  if (ptrace(PTRACE_SETREGS, tid, nullptr, &regs) != 0) return *err = errno, -1;
  for (int stop = 0; stop < 2; stop++) {  // the call's entry, then its exit
    if (ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr) != 0) return *err = errno, -1;
    if ((*err = WaitStop(tid)) != 0) return -1;
  }
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return *err = errno, -1;
  return static_cast<long>(regs.rax);
}

// In the child: the whole exchange with the thread. 0 when it dropped, else an errno.
int TraceAndDrop(pid_t tid, const uint32_t mask[2], bool bounding) {
  if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(PTRACE_O_TRACESYSGOOD)) != 0) return errno;
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) return errno;
  int err = WaitStop(tid);
  if (err != 0) return err;
  user_regs_struct saved;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &saved) != 0) return errno;
  errno = 0;
  const long word = ptrace(PTRACE_PEEKTEXT, tid, reinterpret_cast<void*>(saved.rip - 2), nullptr);
  const bool inCall = errno == 0 && static_cast<long>(saved.orig_rax) >= 0 && (word & 0xffff) == 0x050f;
  int result = EOPNOTSUPP;
  if (inCall) {
    user_regs_struct at = saved;
    at.rip = saved.rip - 2;  // its `syscall` instruction
    result = 0;
    if (bounding) {
      for (int cap = 0; cap < 64 && result == 0; cap++) {
        if (!(mask[cap / 32] & (1u << (cap % 32)))) continue;
        const long r = Inject(tid, at, SYS_prctl, PR_CAPBSET_DROP, cap, &err);
        if (err != 0) return err;  // the thread is in an unknown state: leave it traced to the end
        if (r != 0) result = static_cast<int>(-r);
      }
    }
    const long r = Inject(tid, at, SYS_capset, reinterpret_cast<long>(&g_header), reinterpret_cast<long>(g_data), &err);
    if (err != 0) return err;
    if (r != 0) result = static_cast<int>(-r);
    // Back into the interrupted call, restarted as after a signal with no handler run.
    user_regs_struct back = saved;
    const long rax = static_cast<long>(saved.rax);
    if (rax == kRestartSys || rax == kRestartNoIntr || rax == kRestartNoHand || rax == kRestartBlock) {
      back.rip = saved.rip - 2;
      back.rax = rax == kRestartBlock ? SYS_restart_syscall : saved.orig_rax;
    }
    back.orig_rax = -1;
    if (ptrace(PTRACE_SETREGS, tid, nullptr, &back) != 0) return errno;
  }
  if (ptrace(PTRACE_DETACH, tid, nullptr, nullptr) != 0) return errno;
  return result;
}
#endif

}  // namespace

int DropByPtrace(pid_t tid, const uint32_t mask[2], bool bounding, long waitMs) {
#if !defined(__x86_64__)
  (void)tid, (void)mask, (void)bounding, (void)waitMs;
  return EOPNOTSUPP;
#else
  uint64_t sets[3];
  if (!ReadThreadCaps(tid, sets)) return ESRCH;
  const uint64_t keep = ~(static_cast<uint64_t>(mask[1]) << 32 | mask[0]);
  g_header = {_LINUX_CAPABILITY_VERSION_3, 0};
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    g_data[i].inheritable = static_cast<uint32_t>((sets[0] & keep) >> (32 * i));
    g_data[i].permitted = static_cast<uint32_t>((sets[1] & keep) >> (32 * i));
    g_data[i].effective = static_cast<uint32_t>((sets[2] & keep) >> (32 * i));
  }
  // Tracing a thread of one's own uid needs a dumpable process (a process started with
  // raised capabilities may not be).
  const int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  if (dumpable == 0) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  int pipeFds[2];
  if (pipe(pipeFds) != 0) return errno;
  const pid_t child = fork();
  if (child == 0) {
    // Only system calls from here: the fork of a multi-threaded process.
    const int r = TraceAndDrop(tid, mask, bounding);
    (void)!write(pipeFds[1], &r, sizeof r);
    _exit(0);
  }
  int result = child < 0 ? errno : ETIMEDOUT;
  if (child > 0) {
    close(pipeFds[1]);
    pipeFds[1] = -1;
    int status = 0;
    for (long waited = 0; waited < waitMs && waitpid(child, &status, WNOHANG) == 0; waited++) {
      struct timespec ts {0, 1000000};
      nanosleep(&ts, nullptr);
    }
    if (waitpid(child, &status, WNOHANG) == 0) {
      kill(child, SIGKILL);  // its thread is detached when the tracer dies
      waitpid(child, &status, 0);
    }
    int r = 0;  // the child is gone: the read cannot block
    if (read(pipeFds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r)) result = r;
  }
  close(pipeFds[0]);
  if (pipeFds[1] >= 0) close(pipeFds[1]);
  if (dumpable == 0) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return result;
#endif
}

}  // namespace bpfscope
