#include "db/record_codec.h"

namespace fauxroot {
namespace {

void PutBig64(uint8_t* out, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<uint8_t>(v);
}
uint64_t GetBig64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | in[i];
  return v;
}
template <typename T>
void PutLittle(uint8_t* out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i, v >>= 8) out[i] = static_cast<uint8_t>(v);
}
template <typename T>
T GetLittle(const uint8_t* in) {
  T v = 0;
  for (size_t i = sizeof(T); i-- > 0;) v = static_cast<T>((v << 8) | in[i]);
  return v;
}

}  // namespace

std::array<uint8_t, kEncodedKeySize> EncodeKey(const InodeKey& key) {
  std::array<uint8_t, kEncodedKeySize> out{};
  PutBig64(out.data(), key.dev);
  PutBig64(out.data() + 8, key.ino);
  return out;
}

Result<InodeKey> DecodeKey(std::span<const uint8_t> bytes) {
  if (bytes.size() != kEncodedKeySize) {
    return MakeError(0, "corrupt key: " + std::to_string(bytes.size()) + " bytes, expected 16");
  }
  return InodeKey{GetBig64(bytes.data()), GetBig64(bytes.data() + 8)};
}

std::vector<uint8_t> EncodeRecord(const InodeRecord& record) {
  std::vector<uint8_t> out(kEncodedRecordSize);
  out[0] = record.xattrs.empty() ? 1 : 2;
  PutLittle(out.data() + 4, record.uid);
  PutLittle(out.data() + 8, record.gid);
  PutLittle(out.data() + 12, record.type);
  PutLittle(out.data() + 16, record.generation);
  PutLittle(out.data() + 24, record.rdev);
  if (record.xattrs.empty()) return out;
  auto append = [&out](const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    out.insert(out.end(), bytes, bytes + size);
  };
  uint8_t count[2];
  PutLittle(count, static_cast<uint16_t>(record.xattrs.size()));
  append(count, 2);
  for (const Xattr& x : record.xattrs) {
    uint8_t name_size = static_cast<uint8_t>(x.name.size());
    uint8_t value_size[4];
    PutLittle(value_size, static_cast<uint32_t>(x.value.size()));
    append(&name_size, 1);
    append(x.name.data(), x.name.size());
    append(value_size, 4);
    append(x.value.data(), x.value.size());
  }
  return out;
}

Result<InodeRecord> DecodeRecord(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return MakeError(0, "corrupt record: empty");
  const uint8_t version = bytes[0];
  if (version != 1 && version != 2) {
    return MakeError(0, "record version " + std::to_string(version) +
                            " is not known to this fauxroot (it knows 1 and 2)");
  }
  if (version == 1 ? bytes.size() != kEncodedRecordSize : bytes.size() < kEncodedRecordSize + 2) {
    return MakeError(0, "corrupt record: " + std::to_string(bytes.size()) + " bytes, expected " +
                            std::to_string(kEncodedRecordSize));
  }
  InodeRecord r;
  r.uid = GetLittle<uint32_t>(bytes.data() + 4);
  r.gid = GetLittle<uint32_t>(bytes.data() + 8);
  r.type = GetLittle<uint32_t>(bytes.data() + 12);
  r.generation = GetLittle<uint64_t>(bytes.data() + 16);
  r.rdev = GetLittle<uint64_t>(bytes.data() + 24);
  if (version == 1) return r;
  size_t at = kEncodedRecordSize;
  const size_t count = GetLittle<uint16_t>(bytes.data() + at);
  at += 2;
  for (size_t i = 0; i < count; ++i) {
    if (at + 1 > bytes.size()) return MakeError(0, "corrupt record: truncated attribute");
    const size_t name_size = bytes[at++];
    if (at + name_size + 4 > bytes.size())
      return MakeError(0, "corrupt record: truncated attribute");
    Xattr x;
    x.name.assign(reinterpret_cast<const char*>(bytes.data() + at), name_size);
    at += name_size;
    const size_t value_size = GetLittle<uint32_t>(bytes.data() + at);
    at += 4;
    if (value_size > bytes.size() - at) return MakeError(0, "corrupt record: truncated attribute");
    x.value.assign(reinterpret_cast<const char*>(bytes.data() + at), value_size);
    at += value_size;
    r.xattrs.push_back(std::move(x));
  }
  if (at != bytes.size()) return MakeError(0, "corrupt record: trailing bytes");
  return r;
}

}  // namespace fauxroot

namespace fauxroot {

const Xattr* InodeRecord::FindXattr(std::string_view name) const {
  for (const Xattr& x : xattrs) {
    if (x.name == name) return &x;
  }
  return nullptr;
}

void InodeRecord::SetXattr(std::string_view name, std::string_view value) {
  auto it = xattrs.begin();
  while (it != xattrs.end() && it->name < name) ++it;
  if (it != xattrs.end() && it->name == name) {
    it->value = value;
  } else {
    xattrs.insert(it, Xattr{std::string(name), std::string(value)});
  }
}

bool InodeRecord::RemoveXattr(std::string_view name) {
  for (auto it = xattrs.begin(); it != xattrs.end(); ++it) {
    if (it->name == name) {
      xattrs.erase(it);
      return true;
    }
  }
  return false;
}

}  // namespace fauxroot
