// libbpf prints through one process-wide callback. Each thread that calls into
// libbpf installs a LogCapture for the duration of the call, so the messages of
// a load on a pool thread land in that load's error report and nowhere else.
#pragma once

#include <string>

namespace bpfscope {

class LogCapture {
 public:
  LogCapture() noexcept;
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Everything captured so far; the capture is emptied.
  std::string Take();

  // Called from the libbpf print callback on the owning thread.
  void Append(const char* text) noexcept;

 private:
  std::string text_;
  LogCapture* previous_;
};

// Installs the print callback (idempotent; every addon instance shares it).
void InstallLibbpfPrint() noexcept;

}  // namespace bpfscope
