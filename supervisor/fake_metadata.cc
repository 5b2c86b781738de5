#include "supervisor/fake_metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/sysmacros.h>

#include "common/log.h"
#include "supervisor/posix_acl.h"

namespace fauxroot {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

uint64_t Fnv1a(uint64_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * kFnvPrime;
  return hash;
}

int StoreErrno(const Error& error, const char* what) {
  Log(LogLevel::kError, "%s: %s", what, error.message().c_str());
  return error.errno_value() == ENOSPC ? ENOSPC : EIO;
}

}  // namespace

uint64_t InodeGeneration(int fd) {
  struct {
    struct file_handle handle;
    unsigned char bytes[MAX_HANDLE_SZ];
  } fh;
  fh.handle.handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  uint64_t hash = kFnvOffset;
  if (name_to_handle_at(fd, "", &fh.handle, &mount_id, AT_EMPTY_PATH) == 0) {
    hash = Fnv1a(hash, &fh.handle.handle_type, sizeof fh.handle.handle_type);
    hash = Fnv1a(hash, fh.bytes, fh.handle.handle_bytes);
  } else {
    struct statx stx;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) != 0 || !(stx.stx_mask & STATX_BTIME)) {
      return 0;
    }
    hash = Fnv1a(hash, &stx.stx_btime.tv_sec, sizeof stx.stx_btime.tv_sec);
    hash = Fnv1a(hash, &stx.stx_btime.tv_nsec, sizeof stx.stx_btime.tv_nsec);
  }
  return hash == 0 ? 1 : hash;  // 0 means "unknown"
}

Result<FakeMetadata::Contents> FakeMetadata::Scan(OwnershipStore* store) {
  Contents contents;
  // Records do not say whether they are directories: any group counts.
  auto scanned = store->ForEach([&](const InodeKey&, const InodeRecord& record) {
    contents.fake_group_dirs |= record.gid != 0;
    contents.access_acls |= record.FindXattr(kAclAccess) != nullptr;
  });
  if (!scanned) return std::unexpected(scanned.error());
  return contents;
}

Expected<std::optional<InodeRecord>> FakeMetadata::Lookup(int fd, const struct stat& st) {
  auto record = store_->Get({st.st_dev, st.st_ino});
  if (!record) return std::unexpected(StoreErrno(record.error(), "read record"));
  if (!record->has_value()) return std::nullopt;
  // A record of an earlier inode with the same number is stale: never apply it.
  if ((*record)->generation != 0 && (*record)->generation != InodeGeneration(fd)) {
    return std::nullopt;
  }
  return *record;
}

Expected<void> FakeMetadata::Store(int fd, const struct stat& st, InodeRecord record) {
  InodeKey key{st.st_dev, st.st_ino};
  Result<void> done;
  if (record.IsDefault()) {
    // Most chowns are to 0:0 on files without a record: skip the write then.
    auto current = store_->Get(key);
    if (!current) return std::unexpected(StoreErrno(current.error(), "read record"));
    if (current->has_value()) done = store_->Erase(key);
  } else {
    record.generation = InodeGeneration(fd);
    done = store_->Put(key, record);
    if (S_ISDIR(st.st_mode) && record.gid != 0) fake_group_dirs_ = true;
    if (record.FindXattr(kAclAccess) != nullptr) access_acls_ = true;
  }
  if (!done) return std::unexpected(StoreErrno(done.error(), "write record"));
  return {};
}

void FakeMetadata::Overlay(const InodeRecord& record, struct stat* st) {
  st->st_uid = record.uid;
  st->st_gid = record.gid;
  if (record.type != 0) {
    st->st_mode = (st->st_mode & ~S_IFMT) | record.type;
    st->st_rdev = record.rdev;
  }
}

void FakeMetadata::Overlay(const InodeRecord& record, struct statx* stx) {
  if (stx->stx_mask & STATX_UID) stx->stx_uid = record.uid;
  if (stx->stx_mask & STATX_GID) stx->stx_gid = record.gid;
  if (record.type != 0) {
    if (stx->stx_mask & STATX_TYPE) {
      stx->stx_mode = static_cast<uint16_t>((stx->stx_mode & ~S_IFMT) | record.type);
    }
    stx->stx_rdev_major = major(record.rdev);
    stx->stx_rdev_minor = minor(record.rdev);
  }
}

}  // namespace fauxroot
