// Per-environment state (main thread and each worker thread have their own).
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "object_state.h"

namespace bpfscope {

struct MapMeta;
struct OwnedFd;

struct AddonData {
  Napi::FunctionReference mapConstructor;
  Napi::FunctionReference linkConstructor;
  Napi::FunctionReference fdConstructor;  // BpfFd (fd_handle.cc)
  // Every object opened in this environment, so the env cleanup hook can free
  // the ones JavaScript never closed.
  std::vector<std::weak_ptr<ObjectState>> objects;
  // Hand-over to the BpfMap / BpfLink constructors, set only for the duration
  // of NewMap() / NewLink(). (A napi External would do, but Node frees an
  // External's bookkeeping only on GC, which a worker's teardown skips.)
  const std::shared_ptr<LinkState>* pendingLink = nullptr;
  // A map of an object (state, map), or a standalone one (fd, meta).
  struct PendingMap {
    std::shared_ptr<ObjectState> state;
    bpf_map* map;
    std::shared_ptr<OwnedFd> fd;
    const MapMeta* meta;
  };
  const PendingMap* pendingMap = nullptr;

  void Track(const std::shared_ptr<ObjectState>& state);
  void FreeAll() noexcept;
};

AddonData& GetAddonData(Napi::Env env);

}  // namespace bpfscope
