#include "db/text_format.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace fauxroot {

std::string FormatRecordLine(const InodeKey& key, const InodeRecord& record) {
  char line[160];
  snprintf(line, sizeof line,
           "dev=%" PRIx64 ",ino=%" PRIu64 ",gen=%" PRIx64 ",uid=%u,gid=%u,type=%o,rdev=%" PRIx64,
           key.dev, key.ino, record.generation, record.uid, record.gid, record.type, record.rdev);
  std::string text = line;
  static constexpr char kHex[] = "0123456789abcdef";
  for (const Xattr& x : record.xattrs) {
    text += ",xattr=" + x.name + ":";
    for (unsigned char c : x.value) {
      text += kHex[c >> 4];
      text += kHex[c & 15];
    }
  }
  return text;
}

Result<std::pair<InodeKey, InodeRecord>> ParseRecordLine(std::string_view line) {
  InodeKey key;
  InodeRecord record;
  unsigned seen = 0;
  auto fail = [&](const std::string& why) {
    return MakeError(0, "bad record line '" + std::string(line) + "': " + why);
  };
  while (!line.empty()) {
    size_t comma = line.find(',');
    std::string_view field = line.substr(0, comma);
    line = comma == std::string_view::npos ? std::string_view() : line.substr(comma + 1);
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) return fail("field without '='");
    std::string_view name = field.substr(0, eq);
    std::string_view text = field.substr(eq + 1);
    if (name == "xattr") {
      size_t colon = text.rfind(':');
      if (colon == std::string_view::npos || (text.size() - colon - 1) % 2 != 0) {
        return fail("bad xattr field");
      }
      std::string value;
      for (size_t i = colon + 1; i < text.size(); i += 2) {
        unsigned byte = 0;
        auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
        if (ec != std::errc() || end != text.data() + i + 2) return fail("bad xattr value");
        value += static_cast<char>(byte);
      }
      record.SetXattr(text.substr(0, colon), value);
      continue;
    }
    struct Field {
      const char* name;
      int base;
      uint64_t max;
      unsigned bit;
    };
    static constexpr Field kFields[] = {{"dev", 16, UINT64_MAX, 1},  {"ino", 10, UINT64_MAX, 2},
                                        {"gen", 16, UINT64_MAX, 4},  {"uid", 10, UINT32_MAX, 8},
                                        {"gid", 10, UINT32_MAX, 16}, {"type", 8, 0170000, 32},
                                        {"rdev", 16, UINT64_MAX, 64}};
    const Field* f = nullptr;
    for (const Field& candidate : kFields) {
      if (name == candidate.name) f = &candidate;
    }
    if (f == nullptr) continue;  // unknown fields (fakeroot's mode, nlink) are ignored
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, f->base);
    if (ec != std::errc() || end != text.data() + text.size() || value > f->max) {
      return fail("bad value for " + std::string(name));
    }
    seen |= f->bit;
    switch (f->bit) {
      case 1:
        key.dev = value;
        break;
      case 2:
        key.ino = value;
        break;
      case 4:
        record.generation = value;
        break;
      case 8:
        record.uid = static_cast<uint32_t>(value);
        break;
      case 16:
        record.gid = static_cast<uint32_t>(value);
        break;
      case 32:
        record.type = static_cast<uint32_t>(value);
        break;
      case 64:
        record.rdev = value;
        break;
    }
  }
  if ((seen & 3) != 3) return fail("dev and ino are required");
  return std::pair{key, record};
}

}  // namespace fauxroot
