// fd readiness on the event loop, serialport's pattern: a uv_poll_t watching
// one fd for readability. No thread: libuv's own epoll reports the fd, and the
// callback runs on the JS thread. The handle is closed asynchronously, so a
// Poller frees itself in libuv's close callback; after Close() its callback is
// never called again.
#pragma once

#include <uv.h>

namespace bpfscope {

class Poller {
 public:
  // status is 0 or a negative libuv error (the fd became unusable).
  using Callback = void (*)(void* ctx, int status);

  // A stopped, referenced poller of `fd`, or nullptr with *err set to a
  // negative libuv error code.
  static Poller* Create(uv_loop_t* loop, int fd, Callback callback, void* ctx, int* err);

  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Starts or stops watching; both are cheap and may be called from the callback.
  int Start();
  void Stop();
  // A referenced poller keeps the event loop (and so the process) alive while it is started.
  void Ref();
  void Unref();
  // Stops for good; the object is deleted once libuv has closed the handle.
  void Close();

 private:
  Poller(Callback callback, void* ctx) : callback_(callback), ctx_(ctx) {}
  ~Poller() = default;

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnClose(uv_handle_t* handle);

  uv_poll_t handle_{};
  Callback callback_;
  void* ctx_;
};

}  // namespace bpfscope
