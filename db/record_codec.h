// The on-disk encoding of keys and records in the `inodes` database.
//
// Key: 16 bytes, dev then ino, each big-endian, so that LMDB's byte order is
// numeric order. Record: a version byte then fixed little-endian fields:
//   v1: u8 version=1, u8 reserved[3], u32 uid, u32 gid, u32 type, u64 generation, u64 rdev
// Decoding rejects unknown versions and wrong sizes instead of guessing.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/result.h"
#include "db/ownership_store.h"

namespace fauxroot {

inline constexpr size_t kEncodedKeySize = 16;
inline constexpr size_t kEncodedRecordSize = 32;
inline constexpr uint8_t kRecordVersion = 1;

std::array<uint8_t, kEncodedKeySize> EncodeKey(const InodeKey& key);
Result<InodeKey> DecodeKey(std::span<const uint8_t> bytes);

std::array<uint8_t, kEncodedRecordSize> EncodeRecord(const InodeRecord& record);
Result<InodeRecord> DecodeRecord(std::span<const uint8_t> bytes);

}  // namespace fauxroot
