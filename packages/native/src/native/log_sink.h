// libbpf's messages routed to JavaScript. libbpf prints from whichever thread
// calls it (often a libuv pool thread during a load), so the print callback
// never calls JS: it queues each message on a thread-safe function per
// environment, and the message is delivered on that environment's main
// thread. The event loop is not kept alive by the sink.
#pragma once

#include <bpf/libbpf.h>
#include <napi.h>

namespace bpfscope {

// True when some environment wants messages of `level` (cheap; any thread).
bool LibbpfLogWanted(enum libbpf_print_level level) noexcept;

// Queues one formatted message for every environment that wants its level.
// Any thread; never throws.
void DispatchLibbpfLog(enum libbpf_print_level level, const char* text) noexcept;

// setLibbpfLogSink(callback | null, maxLevel): callback(level, text, dropped)
// with level 0 warn, 1 info, 2 debug (libbpf's numbering).
void RegisterLogSink(Napi::Env env, Napi::Object exports);

}  // namespace bpfscope
