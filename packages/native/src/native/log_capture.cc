#include "log_capture.h"

#include "log_sink.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace bpfscope {
namespace {

thread_local LogCapture* current = nullptr;

// A verifier log can reach megabytes; the tail is what explains a failure.
constexpr size_t kMaxCaptured = 1 << 20;

bool DebugToStderr() noexcept {
  static const bool on = std::getenv("BPFSCOPE_LIBBPF_DEBUG") != nullptr;
  return on;
}

// Never lets a C++ exception escape into libbpf's C frames.
int Print(enum libbpf_print_level level, const char* format, va_list args) noexcept {
  try {
    if (level == LIBBPF_DEBUG && !DebugToStderr() && !LibbpfLogWanted(level)) return 0;
    va_list copy;
    va_copy(copy, args);
    int needed = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (needed < 0) return 0;
    std::vector<char> buf(static_cast<size_t>(needed) + 1);
    std::vsnprintf(buf.data(), buf.size(), format, args);
    if (DebugToStderr()) std::fputs(buf.data(), stderr);
    if (current != nullptr && level != LIBBPF_DEBUG) current->Append(buf.data());
    DispatchLibbpfLog(level, buf.data());
    return needed;
  } catch (...) {
    return 0;
  }
}

}  // namespace

LogCapture::LogCapture() noexcept : previous_(current) { current = this; }

LogCapture::~LogCapture() { current = previous_; }

std::string LogCapture::Take() {
  std::string out;
  out.swap(text_);
  return out;
}

void LogCapture::Append(const char* text) noexcept {
  try {
    text_.append(text);
    if (text_.size() > kMaxCaptured) text_.erase(0, text_.size() - kMaxCaptured);
  } catch (...) {
    // Out of memory while logging: drop the message, keep going.
  }
}

void InstallLibbpfPrint() noexcept { libbpf_set_print(Print); }

}  // namespace bpfscope
