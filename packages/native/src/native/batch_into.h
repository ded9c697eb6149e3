// What the batch reads (map_batch.cc, map_batch_stream.cc) hand to
// JavaScript: a RawBatch { count, buffer, keysOffset, valuesOffset, iterated,
// spilled }, its entries either in the caller's buffer (`into`, held by a
// reference until the job ends) or in a block of their own.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>

#include "map_reader.h"

namespace bpfscope {

using Block = std::shared_ptr<uint8_t>;

// The caller's Uint8Array a read fills. Its memory stays put while the
// reference holds it (ArrayBuffer backing stores do not move); the JS side
// promises not to touch or transfer it until the job ends.
struct IntoBuffer {
  uint8_t* data = nullptr;  // the view's first byte
  size_t offset = 0;        // of `data` within its ArrayBuffer
  size_t length = 0;
  Napi::Reference<Napi::Uint8Array> ref;

  bool given() const { return !ref.IsEmpty(); }
  // Takes `value` when it is a Uint8Array; false otherwise (undefined is fine: nothing given).
  bool Take(const Napi::Value& value);
  // Entries of `entryBytes` (key + value) that fit.
  size_t Entries(size_t entryBytes) const { return length / entryBytes; }
};

// One read's (or chunk's) entries, moved off the pool thread.
struct Delivered {
  Block block;  // null when the entries are in the caller's buffer (or there are none)
  size_t bytes = 0;
  size_t count = 0;
  size_t keysOffset = 0;  // in `block`, or in the caller's ArrayBuffer
  size_t valuesOffset = 0;
  bool iterated = false;
  bool spilled = false;  // a buffer was given but these entries are not in it
  bool inInto = false;
};

// On the pool thread, after the read: where r's entries are.
Delivered Deliver(ReadResult& r, const IntoBuffer& into);

// On the JS thread: the RawBatch object; the caller's ArrayBuffer or a new external one.
Napi::Object ToJs(Napi::Env env, const Delivered& d, const IntoBuffer& into);

}  // namespace bpfscope
