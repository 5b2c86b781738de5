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

std::array<uint8_t, kEncodedRecordSize> EncodeRecord(const InodeRecord& record) {
  std::array<uint8_t, kEncodedRecordSize> out{};
  out[0] = kRecordVersion;
  PutLittle(out.data() + 4, record.uid);
  PutLittle(out.data() + 8, record.gid);
  PutLittle(out.data() + 12, record.type);
  PutLittle(out.data() + 16, record.generation);
  PutLittle(out.data() + 24, record.rdev);
  return out;
}

Result<InodeRecord> DecodeRecord(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return MakeError(0, "corrupt record: empty");
  if (bytes[0] != kRecordVersion) {
    return MakeError(0, "record version " + std::to_string(bytes[0]) +
                            " is not known to this fauxroot (it knows 1)");
  }
  if (bytes.size() != kEncodedRecordSize) {
    return MakeError(0, "corrupt record: " + std::to_string(bytes.size()) + " bytes, expected " +
                            std::to_string(kEncodedRecordSize));
  }
  InodeRecord r;
  r.uid = GetLittle<uint32_t>(bytes.data() + 4);
  r.gid = GetLittle<uint32_t>(bytes.data() + 8);
  r.type = GetLittle<uint32_t>(bytes.data() + 12);
  r.generation = GetLittle<uint64_t>(bytes.data() + 16);
  r.rdev = GetLittle<uint64_t>(bytes.data() + 24);
  return r;
}

}  // namespace fauxroot
