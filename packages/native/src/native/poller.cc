#include "poller.h"

namespace bpfscope {

Poller* Poller::Create(uv_loop_t* loop, int fd, Callback callback, void* ctx, int* err) {
  auto* poller = new Poller(callback, ctx);
  *err = uv_poll_init(loop, &poller->handle_, fd);
  if (*err != 0) {
    delete poller;  // uv_poll_init leaves nothing registered on failure
    return nullptr;
  }
  uv_timer_init(loop, &poller->timer_);  // cannot fail
  poller->handle_.data = poller;
  poller->timer_.data = poller;
  poller->open_ = 2;
  return poller;
}

int Poller::Start() {
  uv_timer_stop(&timer_);
  return uv_poll_start(&handle_, UV_READABLE, OnPoll);
}

void Poller::After(uint64_t ms) {
  uv_poll_stop(&handle_);
  uv_timer_start(&timer_, OnTimer, ms, 0);
}

void Poller::Stop() {
  uv_poll_stop(&handle_);
  uv_timer_stop(&timer_);
}

void Poller::Ref() {
  uv_ref(reinterpret_cast<uv_handle_t*>(&handle_));
  uv_ref(reinterpret_cast<uv_handle_t*>(&timer_));
}

void Poller::Unref() {
  uv_unref(reinterpret_cast<uv_handle_t*>(&handle_));
  uv_unref(reinterpret_cast<uv_handle_t*>(&timer_));
}

void Poller::Close() {
  Stop();
  callback_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), OnClose);
}

void Poller::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<Poller*>(handle->data);
  if (self->callback_ != nullptr) self->callback_(self->ctx_, status, false);
}

void Poller::OnTimer(uv_timer_t* timer) {
  auto* self = static_cast<Poller*>(timer->data);
  if (self->callback_ != nullptr) self->callback_(self->ctx_, 0, true);
}

// May run after the JS environment is gone (a worker's loop is spun once more
// after its isolate is disposed): touches nothing but this object.
void Poller::OnClose(uv_handle_t* handle) {
  auto* self = static_cast<Poller*>(handle->data);
  if (--self->open_ == 0) delete self;
}

}  // namespace bpfscope
