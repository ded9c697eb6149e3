// Shared ownership of one bpf_object. The JS BpfObject, every BpfMap taken
// from it and every pool-thread job hold a shared_ptr, so the object outlives
// whichever of them goes first. All fields are touched on the JS thread only;
// a job marks itself in `inflight` before it is queued and leaves in its
// completion callback, and close() while a job runs is deferred until then.
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace bpfscope {

struct LinkState {
  bpf_link* link = nullptr;
  std::string program;
  std::string attachPoint;

  LinkState() = default;
  LinkState(const LinkState&) = delete;
  LinkState& operator=(const LinkState&) = delete;
  ~LinkState() { Destroy(); }

  bool alive() const { return link != nullptr; }
  void Destroy() noexcept;
};

struct ObjectState {
  bpf_object* obj = nullptr;
  // libbpf keeps pointers into the ELF image while the object is open.
  std::vector<uint8_t> image;
  std::string name;
  std::vector<std::shared_ptr<LinkState>> links;
  int inflight = 0;
  bool loading = false;
  bool loaded = false;
  bool loadFailed = false;
  bool closing = false;

  ObjectState() = default;
  ObjectState(const ObjectState&) = delete;
  ObjectState& operator=(const ObjectState&) = delete;
  ~ObjectState();

  // Usable by JS calls: open, not closed, not being loaded on a pool thread.
  bool open() const { return obj != nullptr && !closing; }

  void BeginWork() { ++inflight; }
  // Frees the object if close() was requested while the job ran.
  void EndWork() noexcept;
  // Destroys links and frees the object now, or when the last job ends.
  void RequestClose() noexcept;

 private:
  void Free() noexcept;
};

}  // namespace bpfscope
