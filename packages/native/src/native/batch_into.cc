#include "batch_into.h"

#include <cstdlib>

namespace bpfscope {

bool IntoBuffer::Take(const Napi::Value& value) {
  if (value.IsUndefined()) return true;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) return false;
  auto view = value.As<Napi::Uint8Array>();
  data = view.Data();
  offset = view.ByteOffset();
  length = view.ByteLength();
  ref = Napi::Persistent(view);
  return true;
}

Delivered Deliver(ReadResult& r, const IntoBuffer& into) {
  Delivered d;
  d.count = r.count;
  d.iterated = r.iterated;
  if (r.borrowed()) {
    d.inInto = true;
    d.keysOffset = into.offset + static_cast<size_t>(r.keys - into.data);
    d.valuesOffset = into.offset + static_cast<size_t>(r.values - into.data);
    return d;
  }
  d.spilled = into.given();
  d.bytes = r.count * (r.keySize + r.entrySize);
  d.valuesOffset = r.count * r.keySize;
  uint8_t* packed = r.Pack();
  if (d.bytes > 0) {
    d.block = Block(packed, std::free);
  } else {
    std::free(packed);
  }
  return d;
}

Napi::Object ToJs(Napi::Env env, const Delivered& d, const IntoBuffer& into) {
  Napi::ArrayBuffer buffer;
  if (d.inInto) {
    buffer = into.ref.Value().ArrayBuffer();
  } else if (d.block) {
    auto hold = std::make_unique<Block>(d.block);
    buffer = Napi::ArrayBuffer::New(
        env, d.block.get(), d.bytes, [](Napi::Env, void*, Block* held) { delete held; }, hold.get());
    hold.release();  // the buffer's finalizer owns it now
  } else {
    buffer = Napi::ArrayBuffer::New(env, 0);
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", static_cast<double>(d.count));
  out.Set("buffer", buffer);
  out.Set("keysOffset", static_cast<double>(d.keysOffset));
  out.Set("valuesOffset", static_cast<double>(d.valuesOffset));
  out.Set("iterated", d.iterated);
  out.Set("spilled", d.spilled);
  return out;
}

}  // namespace bpfscope
