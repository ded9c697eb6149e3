#include "btf_names.h"

#include <linux/btf.h>

namespace bpfscope {
namespace {

constexpr int kMaxDepth = 16;

std::string Named(const btf* types, const btf_type* t, const char* keyword) {
  const char* name = btf__name_by_offset(types, t->name_off);
  return std::string(keyword) + ((name != nullptr && name[0] != '\0') ? name : "(anonymous)");
}

std::string NameOf(const btf* types, uint32_t id, int depth) {
  if (id == 0) return "void";
  const btf_type* t = btf__type_by_id(types, id);
  if (t == nullptr || depth > kMaxDepth) return "";
  switch (btf_kind(t)) {
    case BTF_KIND_STRUCT:
      return Named(types, t, "struct ");
    case BTF_KIND_UNION:
      return Named(types, t, "union ");
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
      return Named(types, t, "enum ");
    case BTF_KIND_FWD:
      return Named(types, t, btf_kflag(t) ? "union " : "struct ");
    case BTF_KIND_PTR: {
      const std::string target = NameOf(types, t->type, depth + 1);
      return target.empty() ? "" : target + " *";
    }
    case BTF_KIND_ARRAY: {
      // T[a][b] is an array of a arrays of b: collect the dimensions outside in.
      std::string dims;
      const btf_type* at = t;
      uint32_t elem = 0;
      for (int i = 0; i < kMaxDepth && at != nullptr && btf_kind(at) == BTF_KIND_ARRAY; ++i) {
        const struct btf_array* a = btf_array(at);
        dims += "[" + std::to_string(a->nelems) + "]";
        elem = a->type;
        at = btf__type_by_id(types, elem);
      }
      const std::string base = NameOf(types, elem, depth + 1);
      return base.empty() ? "" : base + dims;
    }
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
      return NameOf(types, t->type, depth + 1);
    default: {  // int, float, typedef, var, datasec, func: their own name
      const char* name = btf__name_by_offset(types, t->name_off);
      return name != nullptr ? name : "";
    }
  }
}

}  // namespace

std::string BtfTypeName(const btf* types, uint32_t id) {
  if (types == nullptr || id == 0) return "";
  return NameOf(types, id, 0);
}

}  // namespace bpfscope
