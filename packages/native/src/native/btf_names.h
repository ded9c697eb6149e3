// Readable names of BTF types, for describing maps: `__u32`, `struct cpu_times`,
// `char[16]`, `.rodata`.
#pragma once

#include <bpf/btf.h>

#include <cstdint>
#include <string>

namespace bpfscope {

// The name of type `id` of `types`: typedefs and base types by name, structs,
// unions and enums with their keyword, pointers and arrays spelled out,
// const/volatile dropped. "" when `types` is null or `id` is 0 or unknown.
std::string BtfTypeName(const btf* types, uint32_t id);

}  // namespace bpfscope
