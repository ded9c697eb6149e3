// One dlopen of the NVML library: resolves the functions bpfscope calls, runs
// nvmlInit_v2, and undoes both on Close(). No napi here: failures come back as data.
#pragma once

#include <string>

#include "nvml_api.h"

namespace bpfscope::nvml {

// Why Open() failed. `kind` is one of the NVML_* codes that src/nvml-errors.ts knows.
struct OpenFailure {
  std::string kind;     // NVML_LIBRARY_NOT_FOUND, NVML_SYMBOL_MISSING or NVML_CALL_FAILED
  std::string op;       // dlopen, dlsym or the NVML function
  std::string symbol;   // NVML_SYMBOL_MISSING: the function that is not exported
  std::string dlerror;  // dlopen / dlsym: the dynamic linker's message
  Return nvmlReturn = kSuccess;  // NVML_CALL_FAILED: the code
  std::string nvmlMessage;       // NVML_CALL_FAILED: nvmlErrorString(code)
  std::string path;              // the library's path when dlopen had found it
};

class Library {
 public:
  Library() = default;
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library() { Close(); }

  // dlopen(name, RTLD_NOW | RTLD_LOCAL), dlsym every function, nvmlInit_v2.
  // False with `failure` filled when any step fails (nothing stays open then).
  bool Open(const std::string& name, OpenFailure& failure);
  // nvmlShutdown and dlclose; safe to call more than once.
  void Close() noexcept;

  bool IsOpen() const { return initialized_; }
  const Api& api() const { return api_; }
  // Where the dynamic linker found the library.
  const std::string& path() const { return path_; }
  // nvmlErrorString(code), or a fallback when the library returns none.
  std::string ErrorString(Return code) const;

 private:
  void* handle_ = nullptr;
  bool initialized_ = false;
  Api api_{};
  std::string path_;
};

}  // namespace bpfscope::nvml
