#include "object_state.h"

namespace bpfscope {

void LinkState::Destroy() noexcept {
  if (link != nullptr) {
    bpf_link__destroy(link);
    link = nullptr;
  }
}

ObjectState::~ObjectState() {
  // inflight > 0 only when the environment is torn down under a running job;
  // the job still uses the object, so it is left for process exit to reclaim.
  if (inflight == 0) Free();
}

void ObjectState::EndWork() noexcept {
  if (inflight > 0) --inflight;
  if (closing && inflight == 0) Free();
}

void ObjectState::RequestClose() noexcept {
  closing = true;
  if (inflight == 0) Free();
}

void ObjectState::Free() noexcept {
  for (auto& link : links) link->Destroy();
  links.clear();
  if (obj != nullptr) {
    bpf_object__close(obj);
    obj = nullptr;
  }
  image.clear();
  image.shrink_to_fit();
}

}  // namespace bpfscope
