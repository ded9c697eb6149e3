// Dropping capabilities on a thread that blocks every signal (Node's SIGUSR1 watchdog does),
// which the signal broadcast of capabilities.cc cannot reach. A child process attaches to
// the thread with ptrace, stops it inside the system call it sleeps in, makes it call
// capset(2) (and PR_CAPBSET_DROP) itself, then puts it back into the same call, restarted
// as the kernel would restart it after a signal. x86_64 only; elsewhere, or when the thread
// is not inside a system call, nothing is touched and the caller reports the thread.
#include "capabilities_ptrace.h"
#include "thread_status.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <linux/capability.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

#if defined(__x86_64__)
constexpr long kRestartSys = -512, kRestartNoIntr = -513, kRestartNoHand = -514, kRestartBlock = -516;
constexpr char kStopped = 'S', kAck = 'a', kGo = 'g', kResult = 'R';

// Waits for the traced thread's next stop: 0 when it is the one expected (a syscall stop of
// PTRACE_O_TRACESYSGOOD, or the PTRACE_INTERRUPT stop), ESRCH when the thread died, EPROTO
// for another stop (a signal-delivery stop: its signal in *sig, to deliver at the detach).
int WaitStop(pid_t tid, bool syscallStop, int* sig) {
  int status = 0;
  if (waitpid(tid, &status, __WALL) != tid) return errno;
  if (!WIFSTOPPED(status)) return ESRCH;
  const bool event = (status >> 16) == PTRACE_EVENT_STOP;
  if (syscallStop ? WSTOPSIG(status) == (SIGTRAP | 0x80) : event) return 0;
  *sig = event ? 0 : WSTOPSIG(status);
  return EPROTO;
}

// Makes the stopped thread run one system call at its `syscall` instruction; 0 with its
// result in *result, or the errno of the exchange (the thread then stands at some stop).
int Inject(pid_t tid, const user_regs_struct& at, long nr, long a1, long a2, long* result, int* sig) {
  user_regs_struct regs = at;
  regs.rax = nr;
  regs.orig_rax = -1;  // no restart of the interrupted call is applied to this one
  regs.rdi = a1;
  regs.rsi = a2;
  regs.rdx = regs.r10 = regs.r8 = regs.r9 = 0;
  if (ptrace(PTRACE_SETREGS, tid, nullptr, &regs) != 0) return errno;
  for (int stop = 0; stop < 2; stop++) {  // the call's entry, then its exit
    if (ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr) != 0) return errno;
    const int err = WaitStop(tid, true, sig);
    if (err != 0) return err;
  }
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return errno;
  *result = static_cast<long>(regs.rax);
  return 0;
}

// In the child: the whole exchange with the thread. 0 when it dropped, else an errno.
// `status` gets kStopped once the thread is stopped, and the child changes nothing of it
// before the parent answers kAck on `go`: from then on the parent waits without a time
// limit, since the child must put the thread's registers back (a tracer that dies mid-way
// leaves them as injected).
int TraceAndDrop(pid_t tid, const uint32_t mask[2], bool bounding, int status, int go) {
  if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(PTRACE_O_TRACESYSGOOD)) != 0) return errno;
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) return errno;
  int sig = 0;
  int err = WaitStop(tid, false, &sig);
  if (err != 0) {
    ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
    return err;
  }
  user_regs_struct saved;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &saved) != 0) return errno;
  errno = 0;
  const long word = ptrace(PTRACE_PEEKTEXT, tid, reinterpret_cast<void*>(saved.rip - 2), nullptr);
  const bool inCall = errno == 0 && static_cast<long>(saved.orig_rax) >= 0 && (word & 0xffff) == 0x050f;
  if (!inCall) {
    ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
    return EOPNOTSUPP;
  }
  // Back into the interrupted call, restarted as after a signal with no handler run; a
  // call that had ended keeps its result. orig_rax -1: the kernel applies no restart of its
  // own to these registers (at a syscall-entry stop it also skips the call that was due).
  user_regs_struct back = saved;
  const long rax = static_cast<long>(saved.rax);
  if (rax == kRestartSys || rax == kRestartNoIntr || rax == kRestartNoHand || rax == kRestartBlock) {
    back.rip = saved.rip - 2;
    back.rax = rax == kRestartBlock ? SYS_restart_syscall : saved.orig_rax;
  }
  back.orig_rax = -1;
  // Nothing of the thread changes before the parent knows it stopped and says so: until
  // then it may give up on this child (a thread in an uninterruptible sleep stops late).
  char ack = 0;
  if (write(status, &kStopped, 1) != 1 || read(go, &ack, 1) != 1 || ack != kAck) {
    ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
    return ECANCELED;
  }
  user_regs_struct at = saved;
  at.rip = saved.rip - 2;  // its `syscall` instruction
  int result = 0;
  long r = 0;
  // As on the other threads: the bounding set where the process may drop from it (a refusal
  // there shows in the thread's CapBnd, which the caller reads back), then capset always.
  for (int cap = 0; bounding && cap < 64 && err == 0; cap++) {
    if (mask[cap / 32] & (1u << (cap % 32))) err = Inject(tid, at, SYS_prctl, PR_CAPBSET_DROP, cap, &r, &sig);
  }
  if (err == 0) err = Inject(tid, at, SYS_capset, reinterpret_cast<long>(&g_header), reinterpret_cast<long>(g_data), &r, &sig);
  if (err == 0 && r != 0) result = static_cast<int>(-r);
  // Whatever happened, the registers go back before the detach (with a signal that stopped
  // the thread meanwhile delivered), unless the thread is gone.
  if (err != ESRCH && ptrace(PTRACE_SETREGS, tid, nullptr, &back) != 0 && err == 0) err = errno;
  if (ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig))) != 0 && err == 0) err = errno;
  return err != 0 ? err : result;
}
#endif

}  // namespace

int DropByPtrace(pid_t tid, const uint32_t mask[2], bool bounding, long waitMs) {
#if !defined(__x86_64__)
  (void)tid, (void)mask, (void)bounding, (void)waitMs;
  return EOPNOTSUPP;
#else
  static const char* const kSets[3] = {"CapInh:", "CapPrm:", "CapEff:"};
  uint64_t sets[3] = {0, 0, 0};
  if (ReadThreadStatusHex(tid, kSets, sets, 3) != 3) return ESRCH;
  const uint64_t keep = ~(static_cast<uint64_t>(mask[1]) << 32 | mask[0]);
  g_header = {_LINUX_CAPABILITY_VERSION_3, 0};
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    g_data[i].inheritable = static_cast<uint32_t>((sets[0] & keep) >> (32 * i));
    g_data[i].permitted = static_cast<uint32_t>((sets[1] & keep) >> (32 * i));
    g_data[i].effective = static_cast<uint32_t>((sets[2] & keep) >> (32 * i));
  }
  // child -> parent: kStopped, then the result; parent -> child: go, once it may trace.
  int status[2], go[2];
  if (pipe2(status, O_CLOEXEC) != 0) return errno;
  if (pipe2(go, O_CLOEXEC) != 0) {
    const int e = errno;
    close(status[0]);
    close(status[1]);
    return e;
  }
  // Tracing a thread of one's own uid without CAP_SYS_PTRACE needs a process whose dumpable
  // flag is 1 (one started with raised capabilities, or after a uid change, may have 0 or 2).
  const int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  if (dumpable >= 0 && dumpable != 1) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  // The child runs with every signal blocked (a signal meant for the process never runs
  // Node's handlers in it); this thread's mask is back right after the fork.
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t child = fork();
  if (child == 0) {
    // Only system calls from here: the fork of a multi-threaded process.
    close(status[0]);
    close(go[1]);
    char c = 0;
    int r = ECHILD;
    if (read(go[0], &c, 1) == 1 && c == kGo) r = TraceAndDrop(tid, mask, bounding, status[1], go[0]);
    char out[1 + sizeof r] = {kResult};
    std::memcpy(out + 1, &r, sizeof r);
    (void)!write(status[1], out, sizeof out);  // one write under PIPE_BUF: whole or not at all
    _exit(0);
  }
  const int forkErrno = errno;
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  close(status[1]);
  close(go[0]);
  int result = forkErrno;
  if (child > 0) {
    // Yama's ptrace_scope 1 lets a process be traced by its ancestors only, unless it names
    // its tracer (EINVAL where there is no Yama: nothing to do). The exception is cleared
    // afterwards (one the application had set is cleared with it).
    prctl(PR_SET_PTRACER, child, 0, 0, 0);
    (void)!write(go[1], &kGo, 1);
    bool killed = false;
    // Until the thread is stopped the child may be given up on (it has changed nothing);
    // once it says so, it is answered and must finish: the thread's registers go back.
    struct pollfd p {status[0], POLLIN, 0};
    int ready;
    while ((ready = poll(&p, 1, static_cast<int>(waitMs))) < 0 && errno == EINTR) {
    }
    char first = 0;
    if (ready == 0) {
      kill(child, SIGKILL);  // the thread, if stopped, resumes as it was when its tracer dies
      killed = true;
    } else if (ready > 0 && read(status[0], &first, 1) == 1 && first == kStopped) {
      (void)!write(go[1], &kAck, 1);
    }
    int st = 0;
    while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
    }
    prctl(PR_SET_PTRACER, 0, 0, 0, 0);
    // The child is gone: what it wrote is all in the pipe (never wait for more).
    fcntl(status[0], F_SETFL, O_NONBLOCK);
    char buf[1 + sizeof(int)];
    size_t got = 0;
    if (first == kResult) buf[got++] = first;
    ssize_t n;
    while (got < sizeof buf && (n = read(status[0], buf + got, sizeof buf - got)) > 0) got += static_cast<size_t>(n);
    if (got == sizeof buf && buf[0] == kResult) std::memcpy(&result, buf + 1, sizeof result);
    else result = killed ? ETIMEDOUT : ECHILD;  // it ended without a word
  }
  close(status[0]);
  close(go[1]);
  if (dumpable >= 0 && dumpable != 1) prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
  return result;
#endif
}

}  // namespace bpfscope
