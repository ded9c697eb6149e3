#pragma once
// Hexadecimal fields of one thread of this process from /proc/self/task/<tid>/status
// (SigBlk, CapInh, CapPrm, CapEff, ...), read in one pass.

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bpfscope {

// Fills out[i] with the field keys[i] (e.g. "CapEff:"). Returns how many were found, or -1
// when the file could not be opened (the thread has exited).
inline int ReadThreadStatusHex(pid_t tid, const char* const keys[], uint64_t out[], int n) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/status", static_cast<int>(tid));
  FILE* f = std::fopen(path, "r");
  if (!f) return -1;
  int found = 0;
  char line[256];
  while (found < n && std::fgets(line, sizeof line, f)) {
    for (int i = 0; i < n; i++) {
      const size_t len = std::strlen(keys[i]);
      if (std::strncmp(line, keys[i], len) != 0) continue;
      out[i] = std::strtoull(line + len, nullptr, 16);
      found++;
    }
  }
  std::fclose(f);
  return found;
}

}  // namespace bpfscope
