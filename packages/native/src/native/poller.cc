#include "poller.h"

namespace bpfscope {

Poller* Poller::Create(uv_loop_t* loop, int fd, Callback callback, void* ctx, int* err) {
  auto* poller = new Poller(callback, ctx);
  *err = uv_poll_init(loop, &poller->handle_, fd);
  if (*err != 0) {
    delete poller;  // uv_poll_init leaves nothing registered on failure
    return nullptr;
  }
  poller->handle_.data = poller;
  return poller;
}

int Poller::Start() { return uv_poll_start(&handle_, UV_READABLE, OnPoll); }

void Poller::Stop() { uv_poll_stop(&handle_); }

void Poller::Ref() { uv_ref(reinterpret_cast<uv_handle_t*>(&handle_)); }

void Poller::Unref() { uv_unref(reinterpret_cast<uv_handle_t*>(&handle_)); }

void Poller::Close() {
  uv_poll_stop(&handle_);
  callback_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
}

void Poller::OnPoll(uv_poll_t* handle, int status, int /*events*/) {
  auto* self = static_cast<Poller*>(handle->data);
  if (self->callback_ != nullptr) self->callback_(self->ctx_, status);
}

// May run after the JS environment is gone (a worker's loop is spun once more
// after its isolate is disposed): touches nothing but this object.
void Poller::OnClose(uv_handle_t* handle) { delete static_cast<Poller*>(handle->data); }

}  // namespace bpfscope
