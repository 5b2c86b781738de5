// The on-disk encoding of keys and records in the `inodes` database.
//
// Key: 16 bytes, dev then ino, each big-endian, so that LMDB's byte order is
// numeric order. Record: a version byte then little-endian fields:
//   v1: u8 version=1, u8 reserved[3], u32 uid, u32 gid, u32 type, u64 generation, u64 rdev
//   v2: the v1 layout with version=2, then u16 count and `count` times
//       (u8 name length, name, u32 value length, value): extended attributes
// Records without extended attributes are written as v1. Decoding rejects
// unknown versions, wrong sizes and trailing bytes instead of guessing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "db/ownership_store.h"

namespace fauxroot {

inline constexpr size_t kEncodedKeySize = 16;
inline constexpr size_t kEncodedRecordSize = 32;  // v1; v2 adds the attributes

std::array<uint8_t, kEncodedKeySize> EncodeKey(const InodeKey& key);
Result<InodeKey> DecodeKey(std::span<const uint8_t> bytes);

std::vector<uint8_t> EncodeRecord(const InodeRecord& record);
Result<InodeRecord> DecodeRecord(std::span<const uint8_t> bytes);

}  // namespace fauxroot
