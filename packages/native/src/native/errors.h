// Failures are reported to JavaScript as data: a plain Error carrying
// { code, op, errno, log }. The TypeScript side turns it into the matching
// @bpfscope/core error class, so no taxonomy logic lives in C++.
#pragma once

#include <napi.h>

#include <string>

namespace bpfscope {

// Taxonomy hints understood by src/native-error.ts.
inline constexpr const char* kLoadFailed = "LOAD_FAILED";
inline constexpr const char* kAttachFailed = "ATTACH_FAILED";
inline constexpr const char* kMapFailed = "MAP_OPERATION_FAILED";
inline constexpr const char* kClosed = "CLOSED";
inline constexpr const char* kBusy = "BUSY";
inline constexpr const char* kInvalidArgument = "INVALID_ARGUMENT";
inline constexpr const char* kReadFailed = "READ_FAILED";

struct Failure {
  std::string code;     // one of the constants above
  std::string op;       // libbpf function or syscall that failed
  int err = 0;          // positive errno, 0 when none applies
  std::string message;  // one line, without the op
  std::string log;      // libbpf / verifier output captured during the call
};

// libbpf_strerror(), which also knows libbpf's own error codes.
std::string ErrnoText(int err);

// Turns a libbpf return value (negative errno) or errno into a positive errno.
int PositiveErrno(long ret);

Napi::Error ToJsError(Napi::Env env, const Failure& failure);

[[noreturn]] void ThrowFailure(Napi::Env env, const Failure& failure);

// Argument checks that TypeScript already made; reaching them is a bug.
[[noreturn]] void ThrowInvalid(Napi::Env env, const std::string& message);

}  // namespace bpfscope
