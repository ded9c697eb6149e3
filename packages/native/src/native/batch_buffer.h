// The batch the ring buffer consumer fills from libbpf's sample callback:
// records packed at 8-byte offsets plus an index of {offset, size, ring}
// triples. Appending never throws (the callback must not) and only allocates
// when the batch outgrows every earlier one; memory is kept between batches.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>

namespace bpfscope {

class BatchBuffer {
 public:
  // Copies one record; false when memory ran out (nothing was added).
  bool Append(uint32_t ring, const void* record, size_t size) noexcept {
    const size_t padded = (size + 7) & ~size_t{7};
    if (!Fit(data_, dataCap_, dataSize_ + padded) || !Fit(index_, indexCap_, (count_ + 1) * 3)) return false;
    uint8_t* at = data_.get() + dataSize_;
    std::memcpy(at, record, size);
    std::memset(at + size, 0, padded - size);  // no stale bytes reach JavaScript
    uint32_t* entry = index_.get() + count_ * 3;
    entry[0] = static_cast<uint32_t>(dataSize_);
    entry[1] = static_cast<uint32_t>(size);
    entry[2] = ring;
    dataSize_ += padded;
    ++count_;
    return true;
  }

  uint32_t count() const { return count_; }
  size_t dataBytes() const { return dataSize_; }
  size_t indexBytes() const { return count_ * 3 * sizeof(uint32_t); }

  // Writes the records, then the index, to `out` (dataBytes() + indexBytes() bytes).
  void CopyTo(uint8_t* out) const {
    if (dataSize_ > 0) std::memcpy(out, data_.get(), dataSize_);
    if (count_ > 0) std::memcpy(out + dataSize_, index_.get(), indexBytes());
  }

  void Clear() {
    dataSize_ = 0;
    count_ = 0;
  }

  void Release() {
    Clear();
    data_.reset();
    index_.reset();
    dataCap_ = indexCap_ = 0;
  }

 private:
  template <typename T>
  static bool Fit(std::unique_ptr<T[]>& buf, size_t& cap, size_t need) noexcept {
    if (need <= cap) return true;
    size_t grown = cap < 512 ? 512 : cap;
    while (grown < need) grown *= 2;
    std::unique_ptr<T[]> next(new (std::nothrow) T[grown]);
    if (!next) return false;
    if (cap > 0) std::memcpy(next.get(), buf.get(), cap * sizeof(T));
    buf = std::move(next);
    cap = grown;
    return true;
  }

  std::unique_ptr<uint8_t[]> data_;
  std::unique_ptr<uint32_t[]> index_;
  size_t dataCap_ = 0;
  size_t indexCap_ = 0;
  size_t dataSize_ = 0;
  uint32_t count_ = 0;
};

}  // namespace bpfscope
