// Reading a map's entries on a pool thread: batch lookups into keys[] and
// values[] arrays, whole or chunk by chunk, falling back to a get_next_key walk
// where the kernel has no batch operations. The arrays are either a block this
// code mallocs or the caller's buffer (a read "into" a reused ArrayBuffer);
// entries that do not fit the caller's buffer move to a malloc'd block with
// everything read so far, so a read is never cut short. No napi calls:
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

// Where one read (or one chunk) puts its entries: `capacity` keys from `keys`,
// `capacity` values from `values`. Borrowed memory (the caller's buffer) is
// never freed here; an owned block holds the keys, then the values.
struct ReadResult {
  uint8_t* keys = nullptr;
  uint8_t* values = nullptr;
  uint8_t* block = nullptr;  // owned malloc'd block, or null while the entries are in borrowed memory
  size_t keySize = 0;
  size_t entrySize = 0;
  size_t count = 0;
  size_t capacity = 0;
  int err = 0;
  const char* op = "";
  bool iterated = false;  // batch ops were refused: fell back to get_next_key
  bool spilled = false;   // the caller's buffer was too small: the entries moved to an owned block

  ReadResult(size_t keySize, size_t entrySize) : keySize(keySize), entrySize(entrySize) {}
  ReadResult(const ReadResult&) = delete;
  ReadResult& operator=(const ReadResult&) = delete;
  ~ReadResult() { std::free(block); }

  void Borrow(uint8_t* k, uint8_t* v, size_t n) {
    keys = k;
    values = v;
    capacity = n;
  }
  bool borrowed() const { return block == nullptr && capacity > 0; }
  uint8_t* key(size_t i) const { return keys + i * keySize; }
  uint8_t* value(size_t i) const { return values + i * entrySize; }

  // Moves to an owned block of `wanted` entries, keeping the entries read so
  // far (out of the caller's buffer, too). False when out of memory.
  bool Reserve(size_t wanted) {
    auto* grown = static_cast<uint8_t*>(std::malloc(std::max<size_t>(wanted * (keySize + entrySize), 1)));
    if (grown == nullptr) return false;
    if (count > 0) {
      std::memcpy(grown, keys, count * keySize);
      std::memcpy(grown + wanted * keySize, values, count * entrySize);
    }
    if (borrowed()) spilled = true;
    std::free(block);
    block = grown;
    keys = grown;
    values = grown + wanted * keySize;
    capacity = wanted;
    return true;
  }

  // Owned block only: leaves keys[count] then values[count] at its start and returns its ownership.
  uint8_t* Pack() {
    if (count < capacity && count > 0) std::memmove(block + count * keySize, values, count * entrySize);
    uint8_t* out = block;
    block = keys = values = nullptr;
    capacity = 0;
    return out;
  }
};

// One walk over a map: ReadAll() reads the rest of it, ReadChunk() the next
// chunk; the kernel's batch token is kept between calls.
class MapReader {
 public:
  MapReader(int fd, size_t keySize, size_t entrySize, size_t maxEntries, bool andDelete)
      : fd_(fd),
        keySize_(keySize),
        entrySize_(entrySize),
        maxEntries_(maxEntries),
        andDelete_(andDelete),
        in_(std::max<size_t>(keySize, 8)),
        out_(std::max<size_t>(keySize, 8)) {}

  size_t keySize() const { return keySize_; }
  size_t entrySize() const { return entrySize_; }

  // True once the walk reached the map's end or failed.
  bool done() const { return done_; }

  // Every entry left, into r's memory (its borrowed buffer, or a block of
  // maxEntries when it has none), growing into an owned block when they do
  // not fit. Pool-thread safe: only syscalls on the fd, no napi.
  void ReadAll(ReadResult& r) {
    if (r.capacity == 0 && !Reserve(r, std::max<size_t>(maxEntries_, 1))) return;
    for (;;) {
      if (r.count == r.capacity) {
        // Full. An array ends exactly here without ENOENT, so one probe
        // entry tells whether more is left before anything moves.
        if (!Probe(r) || done_) return;
        continue;
      }
      __u32 n = static_cast<__u32>(r.capacity - r.count);
      const int err = Call(r.key(r.count), r.value(r.count), &n);
      if (err != 0 && err != ENOENT) {
        if (err == ENOSPC && n == 0) {  // one hash bucket holds more than the room left; nothing was read
          if (!Reserve(r, Grown(r.capacity))) return;
          continue;
        }
        return Failed(r, err, n);
      }
      r.count += n;
      Advance(err);
      if (done_) return;
    }
  }

  // The next chunk, at most r.capacity entries (r must have memory), ending
  // at a hash bucket boundary; a first bucket larger than that grows r.
  void ReadChunk(ReadResult& r) {
    for (;;) {
      if (r.count == r.capacity) return;
      __u32 n = static_cast<__u32>(r.capacity - r.count);
      const int err = Call(r.key(r.count), r.value(r.count), &n);
      if (err != 0 && err != ENOENT) {
        if (err == ENOSPC && n == 0) {
          if (r.count > 0) return;  // the next bucket starts the next chunk
          if (!Reserve(r, r.capacity * 2)) return;
          continue;
        }
        return Failed(r, err, n);
      }
      r.count += n;
      Advance(err);
      if (done_) return;
    }
  }

 private:
  // One batch call from the current token; returns 0 or a positive errno.
  int Call(uint8_t* keys, uint8_t* values, __u32* n) {
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    void* in = first_ ? nullptr : in_.data();
    void* out = out_.data();
    const int ret = andDelete_ ? bpf_map_lookup_and_delete_batch(fd_, in, out, keys, values, n, &opts)
                               : bpf_map_lookup_batch(fd_, in, out, keys, values, n, &opts);
    return ret == 0 ? 0 : PositiveErrno(ret);
  }

  void Advance(int err) {
    first_ = false;
    in_.swap(out_);
    if (err == ENOENT) done_ = true;
  }

  void Failed(ReadResult& r, int err, __u32 n) {
    if (first_ && !andDelete_ && BatchUnsupported(err)) return Iterate(r);
    r.count += n;  // entries a lookup-and-delete already removed must still reach the caller
    r.err = err;
    r.op = andDelete_ ? "bpf_map_lookup_and_delete_batch" : "bpf_map_lookup_batch";
    done_ = true;
  }

  // r is full: reads one more entry aside. None (ENOENT) ends the walk with
  // r as it is; one, or a bucket too big for one (ENOSPC), grows r first.
  bool Probe(ReadResult& r) {
    std::vector<uint8_t> key(keySize_), value(entrySize_);
    __u32 n = 1;
    const int err = Call(key.data(), value.data(), &n);
    if (n == 0 && err == ENOENT) {
      done_ = true;
      return true;
    }
    if (n == 0 && err != 0 && err != ENOSPC) {
      Failed(r, err, 0);
      return false;
    }
    if (!Reserve(r, Grown(r.capacity))) return false;
    if (n == 1) {
      std::memcpy(r.key(r.count), key.data(), keySize_);
      std::memcpy(r.value(r.count), value.data(), entrySize_);
      ++r.count;
      if (err != 0 && err != ENOENT) {
        Failed(r, err, 0);
        return false;
      }
      Advance(err);
    }
    return true;
  }

  // The next size of a full block: the whole map at least (a caller's buffer
  // that was too small), else half again (entries added during the walk).
  size_t Grown(size_t capacity) const {
    return std::max(maxEntries_, capacity + std::max<size_t>(capacity / 2, 64));
  }

  bool Reserve(ReadResult& r, size_t capacity) {
    if (r.Reserve(capacity)) return true;
    r.err = ENOMEM;
    r.op = "malloc";
    done_ = true;
    return false;
  }

  // Entries deleted during the walk make the kernel restart from the first
  // key, so the walk is bounded rather than trusted to end.
  void Iterate(ReadResult& r) {
    r.iterated = true;
    r.count = 0;
    done_ = true;
    if (r.capacity == 0 && !Reserve(r, std::max<size_t>(maxEntries_, 1))) return;
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
      if (r.count == r.capacity && !Reserve(r, Grown(r.capacity))) return;
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
  std::vector<uint8_t> in_, out_;  // the kernel's batch tokens (at least 8 bytes, or a key)
  bool first_ = true;
  bool done_ = false;
};

}  // namespace bpfscope
