// Reading a map's entries on a pool thread: batch lookups into one malloc'd
// block (keys, then values), whole or in chunks, falling back to a
// get_next_key walk where the kernel has no batch operations. No napi calls:
// everything runs on any thread.
#pragma once

#include <bpf/bpf.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "errors.h"

namespace bpfscope {

inline constexpr int kENOTSUPP = 524;  // kernel-internal "operation not supported"

inline bool BatchUnsupported(int err) {
  return err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP || err == kENOTSUPP;
}

// Keys and values share one malloc'd block: `capacity` keys, then `capacity`
// values. Pack() moves the values down behind the `count` keys, so the block
// becomes the ArrayBuffer handed to JavaScript without another copy.
struct ReadResult {
  uint8_t* data = nullptr;
  size_t keySize = 0;
  size_t entrySize = 0;
  size_t count = 0;
  size_t capacity = 0;
  int err = 0;
  const char* op = "";
  bool iterated = false;  // batch ops were refused: fell back to get_next_key
  bool more = false;      // a chunked read stopped at its limit; `next` resumes it
  std::vector<uint8_t> next;

  ReadResult() = default;
  ReadResult(const ReadResult&) = delete;
  ReadResult& operator=(const ReadResult&) = delete;
  ~ReadResult() { std::free(data); }

  uint8_t* key(size_t i) const { return data + i * keySize; }
  uint8_t* value(size_t i) const { return data + capacity * keySize + i * entrySize; }

  // Grows the block, keeping the entries read so far. False when out of memory.
  bool Reserve(size_t wanted) {
    auto* grown = static_cast<uint8_t*>(std::malloc(std::max<size_t>(wanted * (keySize + entrySize), 1)));
    if (grown == nullptr) return false;
    if (data != nullptr) {
      std::memcpy(grown, data, count * keySize);
      std::memcpy(grown + wanted * keySize, value(0), count * entrySize);
      std::free(data);
    }
    data = grown;
    capacity = wanted;
    return true;
  }

  // Leaves keys[count] then values[count] at the start of the block; returns its ownership.
  uint8_t* Pack() {
    if (count < capacity && count > 0) std::memmove(data + count * keySize, value(0), count * entrySize);
    uint8_t* out = data;
    data = nullptr;
    return out;
  }
};

class MapReader {
 public:
  MapReader(int fd, size_t keySize, size_t entrySize, size_t maxEntries, bool andDelete)
      : fd_(fd), keySize_(keySize), entrySize_(entrySize), maxEntries_(maxEntries), andDelete_(andDelete) {}

  // A chunk of at most `limit` entries (0: the whole map), resuming at the
  // kernel's batch token `start` (empty: from the first entry).
  void Chunk(size_t limit, std::vector<uint8_t> start) {
    limit_ = limit;
    start_ = std::move(start);
  }

  size_t tokenSize() const { return std::max<size_t>(keySize_, 8); }

  // Pool-thread safe: only syscalls on the fd, no napi.
  void ReadAll(ReadResult& r) const {
    r.keySize = keySize_;
    r.entrySize = entrySize_;
    if (!Reserve(r, std::max<size_t>(limit_ != 0 ? limit_ : maxEntries_, 1))) return;
    std::vector<uint8_t> in(tokenSize()), out(tokenSize());
    bool first = start_.empty();
    if (!first) std::memcpy(in.data(), start_.data(), std::min(in.size(), start_.size()));
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    for (;;) {
      if (limit_ != 0 && r.count >= limit_) {  // chunk full: hand back where to resume
        r.more = true;
        r.next = in;
        return;
      }
      if (r.count == r.capacity && !Reserve(r, r.capacity + std::max<size_t>(r.capacity / 2, 64))) return;
      __u32 n = static_cast<__u32>(r.capacity - r.count);
      const int ret = andDelete_ ? bpf_map_lookup_and_delete_batch(fd_, first ? nullptr : in.data(), out.data(),
                                                                   r.key(r.count), r.value(r.count), &n, &opts)
                                 : bpf_map_lookup_batch(fd_, first ? nullptr : in.data(), out.data(), r.key(r.count),
                                                        r.value(r.count), &n, &opts);
      const int err = ret == 0 ? 0 : PositiveErrno(ret);
      if (err != 0 && err != ENOENT) {
        // ENOSPC: one hash bucket holds more than the room left (nothing of it was read or deleted).
        if (err == ENOSPC && n == 0) {
          if (limit_ != 0 && r.count > 0) {  // the next bucket starts the next chunk
            r.more = true;
            r.next = in;
            return;
          }
          if (!Reserve(r, r.capacity * 2)) return;
          continue;
        }
        if (first && start_.empty() && !andDelete_ && BatchUnsupported(err)) return Iterate(r);
        r.count += n;  // entries a lookup-and-delete already removed must still reach the caller
        r.err = err;
        r.op = andDelete_ ? "bpf_map_lookup_and_delete_batch" : "bpf_map_lookup_batch";
        return;
      }
      r.count += n;
      first = false;
      in.swap(out);
      if (err == ENOENT) return;
    }
  }

 private:
  static bool Reserve(ReadResult& r, size_t capacity) {
    if (r.Reserve(capacity)) return true;
    r.err = ENOMEM;
    r.op = "malloc";
    return false;
  }

  // Entries deleted during the walk make the kernel restart from the first
  // key, so the walk is bounded rather than trusted to end.
  void Iterate(ReadResult& r) const {
    r.iterated = true;
    r.count = 0;
    std::vector<uint8_t> prev(keySize_), next(keySize_);
    const size_t limit = std::max<size_t>(maxEntries_, 1) * 4;
    for (size_t step = 0;; ++step) {
      if (step > limit) {
        r.err = EAGAIN;
        r.op = "bpf_map_get_next_key";
        return;
      }
      int ret = bpf_map_get_next_key(fd_, step == 0 ? nullptr : prev.data(), next.data());
      if (ret != 0) {
        const int err = PositiveErrno(ret);
        if (err == ENOENT) return;
        r.err = err;
        r.op = "bpf_map_get_next_key";
        return;
      }
      if (r.count == r.capacity && !Reserve(r, r.capacity + std::max<size_t>(r.capacity / 2, 64))) return;
      ret = bpf_map_lookup_elem(fd_, next.data(), r.value(r.count));
      if (ret == 0) {
        std::memcpy(r.key(r.count), next.data(), keySize_);
        ++r.count;
      } else if (PositiveErrno(ret) != ENOENT) {  // ENOENT: deleted since get_next_key
        r.err = PositiveErrno(ret);
        r.op = "bpf_map_lookup_elem";
        return;
      }
      prev.swap(next);
    }
  }

  int fd_;
  size_t keySize_;
  size_t entrySize_;
  size_t maxEntries_;
  bool andDelete_;
  size_t limit_ = 0;
  std::vector<uint8_t> start_;
};

}  // namespace bpfscope
