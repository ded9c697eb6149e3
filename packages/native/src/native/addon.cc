// Module entry: installs the libbpf print hook, registers the classes and the
// feature-probe functions, and frees unclosed objects when the env goes away.
#include <napi.h>

#include <algorithm>

#include "addon_data.h"
#include "allocator.h"
#include "capabilities.h"
#include "fd_handle.h"
#include "link.h"
#include "log_capture.h"
#include "log_sink.h"
#include "map.h"
#include "nvml.h"
#include "object.h"
#include "probes.h"
#include "ring_buffer.h"

namespace bpfscope {

void AddonData::Track(const std::shared_ptr<ObjectState>& state) {
  objects.erase(std::remove_if(objects.begin(), objects.end(),
                               [](const std::weak_ptr<ObjectState>& w) { return w.expired(); }),
                objects.end());
  objects.push_back(state);
}

void AddonData::FreeAll() noexcept {
  for (auto& weak : objects) {
    if (auto state = weak.lock()) state->RequestClose();
  }
  objects.clear();
}

AddonData& GetAddonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {

// Runs before the instance data and the wrapped objects are finalized.
void CleanupHook(void* arg) { static_cast<AddonData*>(arg)->FreeAll(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfPrint();
  auto* data = new AddonData();
  env.SetInstanceData(data);
  napi_add_env_cleanup_hook(env, CleanupHook, data);

  exports.Set("BpfObject", BpfObjectWrap::Init(env));
  data->mapConstructor = Napi::Persistent(BpfMapWrap::Init(env));
  data->linkConstructor = Napi::Persistent(BpfLinkWrap::Init(env));
  exports.Set("BpfMap", data->mapConstructor.Value());
  exports.Set("BpfLink", data->linkConstructor.Value());
  RegisterProbes(env, exports);
  exports.Set("RingBuffer", RingBufferWrap::Init(env));
  RegisterFdFunctions(env, exports);
  RegisterLogSink(env, exports);
  RegisterAllocatorFunctions(env, exports);
  RegisterNvml(env, exports);
  RegisterCapabilityFunctions(env, exports);
  return exports;
}

}  // namespace
}  // namespace bpfscope

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return bpfscope::Init(env, exports); }

NODE_API_MODULE(bpfscope_native, InitModule)
