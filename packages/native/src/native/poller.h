// fd readiness on the event loop, serialport's pattern: a uv_poll_t watching
// one fd for readability. No thread: libuv's own epoll reports the fd, and the
// callback runs on the JS thread. Instead of the fd, a poller can also wait on
// a one-shot timer (After): a consumer that is woken more often than it needs
// polls at a fixed period for a while, with the fd out of the loop's epoll.
// The handles are closed asynchronously, so a Poller frees itself in libuv's
// close callbacks; after Close() its callback is never called again.
#pragma once

#include <uv.h>

#include <cstdint>

namespace bpfscope {

class Poller {
 public:
  // status is 0 or a negative libuv error (the fd became unusable); timer is
  // true when the call comes from the timer of After(), not from the fd.
  using Callback = void (*)(void* ctx, int status, bool timer);

  // A stopped, referenced poller of `fd`, or nullptr with *err set to a
  // negative libuv error code.
  static Poller* Create(uv_loop_t* loop, int fd, Callback callback, void* ctx, int* err);

  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Watches the fd (and cancels a pending After); cheap, may be called from the callback.
  int Start();
  // Stops watching the fd and calls back once, `ms` from now, with timer = true.
  void After(uint64_t ms);
  // Neither the fd nor the timer.
  void Stop();
  // A referenced poller keeps the event loop (and so the process) alive while it is started.
  void Ref();
  void Unref();
  // Stops for good; the object is deleted once libuv has closed both handles.
  void Close();

 private:
  Poller(Callback callback, void* ctx) : callback_(callback), ctx_(ctx) {}
  ~Poller() = default;

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnTimer(uv_timer_t* timer);
  static void OnClose(uv_handle_t* handle);

  uv_poll_t handle_{};
  uv_timer_t timer_{};
  int open_ = 0;  // handles not closed yet
  Callback callback_;
  void* ctx_;
};

}  // namespace bpfscope
