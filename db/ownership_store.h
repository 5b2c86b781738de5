// OwnershipStore: the fake metadata of inodes, keyed by (device, inode number).
//
// A record says what a build step believes about an inode that the kernel
// cannot store for an unprivileged user: its owner, and for device-node
// placeholders its type and device number. Files without a record belong to
// root (0:0) and have the type the filesystem reports.
//
// Inode numbers are reused after a delete. Every record carries the inode's
// generation (see supervisor/inode_identity.h); a record whose generation does
// not match the live inode's is stale and must be ignored, never applied.
//
// Implementations: LmdbStore (persistent, crash-safe, shareable between
// processes) and MemoryStore (tests). Neither is thread-safe; the supervisor
// uses one store from one thread.
#pragma once

#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fauxroot {

struct InodeKey {
  uint64_t dev = 0;
  uint64_t ino = 0;
  auto operator<=>(const InodeKey&) const = default;
};

// An extended attribute the kernel would not store for an unprivileged user
// (security.capability, trusted.*, POSIX ACLs), with its raw value.
struct Xattr {
  std::string name;
  std::string value;
  bool operator==(const Xattr&) const = default;
};

struct InodeRecord {
  uint64_t generation = 0;  // identity of this incarnation of the inode; 0: unknown
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t type = 0;          // S_IFMT bits to report instead of the real ones; 0: the real type
  uint64_t rdev = 0;          // device number reported for S_IFCHR/S_IFBLK placeholders
  std::vector<Xattr> xattrs;  // sorted by name, names unique
  bool operator==(const InodeRecord&) const = default;

  // True when the record says nothing the filesystem does not (root-owned, real type,
  // no extended attributes): such records are not stored.
  bool IsDefault() const {
    return uid == 0 && gid == 0 && type == 0 && rdev == 0 && xattrs.empty();
  }
  const Xattr* FindXattr(std::string_view name) const;
  // Inserts or replaces; keeps the order.
  void SetXattr(std::string_view name, std::string_view value);
  // Returns false when there was none.
  bool RemoveXattr(std::string_view name);
};

class OwnershipStore {
 public:
  virtual ~OwnershipStore() = default;

  // The record for `key`, or nullopt. Errors are I/O or corruption.
  virtual Result<std::optional<InodeRecord>> Get(const InodeKey& key) = 0;
  // Inserts or replaces. When it returns success the record survives the death of
  // this process (not necessarily a power loss: see Sync).
  virtual Result<void> Put(const InodeKey& key, const InodeRecord& record) = 0;
  // Removes the record if present.
  virtual Result<void> Erase(const InodeKey& key) = 0;
  // Calls `visit` for every record in key order.
  virtual Result<void> ForEach(
      const std::function<void(const InodeKey&, const InodeRecord&)>& visit) = 0;
  // Makes everything written so far durable on disk.
  virtual Result<void> Sync() = 0;
};

}  // namespace fauxroot
