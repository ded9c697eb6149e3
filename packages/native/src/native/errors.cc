#include "errors.h"

#include <bpf/libbpf.h>

#include <cerrno>

namespace bpfscope {

std::string ErrnoText(int err) {
  char buf[256] = {0};
  if (libbpf_strerror(err, buf, sizeof(buf)) != 0 && buf[0] == '\0') {
    return "errno " + std::to_string(err);
  }
  return buf;
}

int PositiveErrno(long ret) {
  if (ret < 0) return static_cast<int>(-ret);
  return errno != 0 ? errno : EINVAL;
}

Napi::Error ToJsError(Napi::Env env, const Failure& failure) {
  std::string message = failure.message;
  if (failure.err != 0) message += " (" + ErrnoText(failure.err) + ")";
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  obj.Set("code", failure.code);
  obj.Set("op", failure.op);
  obj.Set("errno", failure.err);
  obj.Set("log", failure.log);
  obj.Set("nativeMessage", failure.message);
  obj.Set("errnoText", failure.err != 0 ? ErrnoText(failure.err) : "");
  return error;
}

void ThrowFailure(Napi::Env env, const Failure& failure) { throw ToJsError(env, failure); }

void ThrowInvalid(Napi::Env env, const std::string& message) {
  ThrowFailure(env, Failure{kInvalidArgument, "argument check", 0, message, ""});
}

}  // namespace bpfscope
