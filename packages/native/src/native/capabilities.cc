// Dropping capabilities from every thread of the process. Linux keeps capabilities per
// thread and capset(2) changes only the calling thread's; glibc's setxid broadcast covers
// set*id() but not capset. So, as libcap's psx does: a signal is sent to each thread
// (tgkill), whose handler drops the capabilities on that thread; the caller waits for every
// answer and rescans /proc/self/task for threads started meanwhile. A thread that blocks
// the signal is made to drop them itself under ptrace (capabilities_ptrace.cc), first,
// while the caller still holds what tracing it needs; one that cannot be reached either
// way is reported, never skipped silently.
#include "capabilities.h"

#include "capabilities_ptrace.h"
#include "thread_status.h"

#include <dirent.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace bpfscope {
namespace {

constexpr int kMaxThreads = 4096;
constexpr int kPending = 1;  // slot state before the thread answered

struct Slot {
  std::atomic<pid_t> tid{0};
  std::atomic<int> state{0};     // kPending, 0 done
  std::atomic<int> capErrno{0};  // errno of capget/capset, 0 when they succeeded
  std::atomic<int> bsetErrno{0}; // errno of the first PR_CAPBSET_DROP refused, 0 when none
};

Slot g_slots[kMaxThreads];
std::atomic<int> g_slotCount{0};
// The capabilities to drop, as capset's two 32-bit words; read by the handler.
std::atomic<uint32_t> g_mask[2];
std::atomic<bool> g_dropBounding{false};
int g_signal = 0;  // installed once and kept: a pending signal must never meet SIG_DFL
std::mutex g_mutex;

pid_t Gettid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// Drops the masked capabilities on the calling thread. Async-signal-safe: raw syscalls only.
void DropOnThisThread(Slot* slot) {
  int bsetErr = 0;
  if (g_dropBounding.load()) {
    for (int cap = 0; cap < 64; cap++) {
      if (!(g_mask[cap / 32].load() & (1u << (cap % 32)))) continue;
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && bsetErr == 0) bsetErr = errno;
    }
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  int capErr = 0;
  if (syscall(SYS_capget, &header, data) != 0) {
    capErr = errno;
  } else {
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
      const uint32_t keep = ~g_mask[i].load();
      data[i].effective &= keep;
      data[i].permitted &= keep;
      data[i].inheritable &= keep;
    }
    // Lowering permitted or inheritable also clears those bits from the ambient set.
    if (syscall(SYS_capset, &header, data) != 0) capErr = errno;
  }
  if (slot) {
    slot->capErrno.store(capErr);
    slot->bsetErrno.store(bsetErr);
    slot->state.store(0);
  }
}

void Handler(int) {
  const int saved = errno;
  const pid_t tid = Gettid();
  const int n = g_slotCount.load();
  Slot* mine = nullptr;
  for (int i = 0; i < n; i++) {
    if (g_slots[i].tid.load() == tid) {
      mine = &g_slots[i];
      break;
    }
  }
  // A signal that arrives late (after its caller stopped waiting) still drops.
  if (!mine || mine->state.load() == kPending) DropOnThisThread(mine);
  errno = saved;
}

// A free real-time signal (no handler, not ignored), from SIGRTMAX down; 0 when none.
int InstallSignal() {
  if (g_signal != 0) {
    // Still ours? The application may have taken the signal since the last drop.
    struct sigaction now {};
    if (sigaction(g_signal, nullptr, &now) == 0 && now.sa_handler == Handler) return g_signal;
    g_signal = 0;
  }
  for (int sig = SIGRTMAX; sig >= SIGRTMIN; sig--) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0) continue;
    if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;
    struct sigaction act {};
    act.sa_handler = Handler;
    sigfillset(&act.sa_mask);
    act.sa_flags = SA_RESTART;
    if (sigaction(sig, &act, nullptr) == 0) return g_signal = sig;
  }
  return 0;
}

std::vector<pid_t> ListThreads() {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return out;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
  }
  closedir(dir);
  return out;
}

// Whether `sig` is in the thread's blocked mask (SigBlk in its status), or -1 when unknown.
int SignalBlocked(pid_t tid, int sig) {
  static const char* const kKeys[1] = {"SigBlk:"};
  uint64_t mask = 0;
  if (ReadThreadStatusHex(tid, kKeys, &mask, 1) != 1) return -1;
  return (mask >> (sig - 1)) & 1ull ? 1 : 0;
}

void Sleep1ms() {
  struct timespec ts {0, 1000000};
  nanosleep(&ts, nullptr);
}

struct ThreadOutcome {
  pid_t tid;
  std::string result;  // dropped, failed, signal-blocked, no-answer, gone
  int capErrno;
  int bsetErrno;
  const char* method = "signal";  // signal, or ptrace for a thread that blocks the signal
};

Napi::Object ToJs(Napi::Env env, const ThreadOutcome& o) {
  Napi::Object t = Napi::Object::New(env);
  t.Set("tid", o.tid);
  t.Set("result", o.result);
  t.Set("errno", o.capErrno);
  t.Set("boundingErrno", o.bsetErrno);
  t.Set("method", o.method);
  return t;
}

// dropCapabilities(caps: number[], waitMs: number) -> { signal, threads: [{ tid, result, errno, boundingErrno, method }] }
Napi::Value DropCapabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "dropCapabilities(caps: number[], waitMs: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  Napi::Array caps = info[0].As<Napi::Array>();
  uint32_t mask[2] = {0, 0};
  for (uint32_t i = 0; i < caps.Length(); i++) {
    const int cap = caps.Get(i).As<Napi::Number>().Int32Value();
    if (cap >= 0 && cap < 64) mask[cap / 32] |= 1u << (cap % 32);
  }
  const long waitMs = info[1].As<Napi::Number>().Int64Value();
  g_mask[0].store(mask[0]);
  g_mask[1].store(mask[1]);
  // Dropping from the bounding set needs CAP_SETPCAP (root has it; a process given only
  // CAP_BPF + CAP_PERFMON does not, and then keeps its bounding set).
  g_dropBounding.store(prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) == 1);

  const int sig = InstallSignal();
  const pid_t self = Gettid();
  std::vector<ThreadOutcome> outcomes;
  // Threads that block the signal first, while this thread can still trace them.
  if (sig != 0) {
    for (pid_t tid : ListThreads()) {
      if (tid == self || SignalBlocked(tid, sig) != 1) continue;
      const int err = DropByPtrace(tid, mask, g_dropBounding.load(), waitMs);
      if (err == ESRCH) continue;  // gone meanwhile (or its status unread): the rounds below look again
      if (err == 0) outcomes.push_back({tid, "dropped", 0, 0, "ptrace"});
      else outcomes.push_back({tid, "signal-blocked", err, 0, "ptrace"});
    }
  }
  g_slotCount.store(0);
  {
    Slot& s = g_slots[0];
    s.tid.store(self);
    s.state.store(kPending);
    g_slotCount.store(1);
    DropOnThisThread(&s);
    outcomes.push_back({self, s.capErrno.load() == 0 ? "dropped" : "failed", s.capErrno.load(), s.bsetErrno.load()});
  }
  // Rounds until a scan of /proc/self/task finds no thread not yet handled: a thread made
  // by a thread that still held the capabilities during a round would otherwise keep them.
  for (int round = 0; round < 20; round++) {
    std::vector<int> sent;
    for (pid_t tid : ListThreads()) {
      bool seen = false;
      for (const auto& o : outcomes) seen = seen || o.tid == tid;
      if (seen) continue;
      const int n = g_slotCount.load();
      if (n >= kMaxThreads) {
        outcomes.push_back({tid, "no-answer", E2BIG, 0});
        continue;
      }
      if (sig == 0) {
        outcomes.push_back({tid, "no-answer", EAGAIN, 0});
        continue;
      }
      if (SignalBlocked(tid, sig) == 1) {
        outcomes.push_back({tid, "signal-blocked", 0, 0});
        continue;
      }
      Slot& s = g_slots[n];
      s.tid.store(tid);
      s.capErrno.store(0);
      s.bsetErrno.store(0);
      s.state.store(kPending);
      g_slotCount.store(n + 1);
      if (syscall(SYS_tgkill, getpid(), tid, sig) != 0) {
        s.state.store(0);
        outcomes.push_back({tid, errno == ESRCH ? "gone" : "no-answer", errno, 0});
        continue;
      }
      outcomes.push_back({tid, "", 0, 0});
      sent.push_back(n);
    }
    if (sent.empty()) break;
    for (long waited = 0; waited < waitMs; waited++) {
      bool all = true;
      for (int i : sent) all = all && g_slots[i].state.load() == 0;
      if (all) break;
      Sleep1ms();
    }
    for (int i : sent) {
      Slot& s = g_slots[i];
      for (auto& o : outcomes) {
        if (o.tid != s.tid.load() || !o.result.empty()) continue;
        if (s.state.load() != 0) {
          // An exited thread never answers; one still listed did not answer in time.
          char path[64];
          std::snprintf(path, sizeof path, "/proc/self/task/%d", static_cast<int>(o.tid));
          o.result = access(path, F_OK) == 0 ? "no-answer" : "gone";
        } else {
          o.capErrno = s.capErrno.load();
          o.bsetErrno = s.bsetErrno.load();
          o.result = o.capErrno == 0 ? "dropped" : "failed";
        }
      }
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("signal", sig);
  out.Set("bounding", g_dropBounding.load());
  Napi::Array threads = Napi::Array::New(env, outcomes.size());
  for (size_t i = 0; i < outcomes.size(); i++) threads.Set(static_cast<uint32_t>(i), ToJs(env, outcomes[i]));
  out.Set("threads", threads);
  return out;
}

}  // namespace

void RegisterCapabilityFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("dropCapabilities", Napi::Function::New(env, DropCapabilities, "dropCapabilities"));
}

}  // namespace bpfscope
