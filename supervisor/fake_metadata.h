// FakeMetadata: joins live inodes with their records in the OwnershipStore.
//
// An inode is identified by (st_dev, st_ino) plus its generation: the file
// handle the filesystem gives it (name_to_handle_at), which on ext4, xfs, btrfs
// and tmpfs encodes a generation number that changes when an inode number is
// reused. statx's btime is no substitute: it is taken from a coarse clock, and an
// inode freed and reused within the same tick keeps the same btime (measured on
// ext4 here). Where a filesystem gives no handle, btime is used; where it has
// neither, records are trusted without a check (and `db check` cannot prune).
#pragma once

#include <sys/stat.h>

#include <optional>

#include "db/ownership_store.h"
#include "supervisor/target_memory.h"

namespace fauxroot {

// The generation of the inode open as `fd` (any fd, O_PATH included); 0 if the
// filesystem offers none.
uint64_t InodeGeneration(int fd);

class FakeMetadata {
 public:
  // What the store may already hold (true unless the caller knows otherwise):
  // `fake_group_dirs`, a directory with a group other than 0; `access_acls`,
  // a record with an access ACL.
  explicit FakeMetadata(OwnershipStore* store, bool fake_group_dirs = true, bool access_acls = true)
      : store_(store), fake_group_dirs_(fake_group_dirs), access_acls_(access_acls) {}

  // What a store holds, read once from all its records: the flags above.
  struct Contents {
    bool fake_group_dirs = false;
    bool access_acls = false;
  };
  static Result<Contents> Scan(OwnershipStore* store);

  // The record of the inode open as `fd` whose status is `st`, when it has one that
  // belongs to this incarnation of the inode. Errors are EIO (the store failed).
  Expected<std::optional<InodeRecord>> Lookup(int fd, const struct stat& st);

  // Makes `record` the inode's record (erasing it when it says nothing beyond
  // the defaults). The record is durable when this returns. Errors: ENOSPC when
  // the store is full, EIO otherwise; both are logged with the store's message.
  Expected<void> Store(int fd, const struct stat& st, InodeRecord record);

  // False while no directory can have a fake group: then no set-group-ID
  // directory can give a new entry a group other than 0, and creations by root
  // need no look at their directory.
  bool fake_group_dirs() const { return fake_group_dirs_; }
  // False while no record has an access ACL: then a chmod by a task with
  // CAP_FOWNER and CAP_FSETID has nothing to emulate.
  bool access_acls() const { return access_acls_; }

  // Rewrites what a stat call reports with the record.
  static void Overlay(const InodeRecord& record, struct stat* st);
  static void Overlay(const InodeRecord& record, struct statx* stx);

 private:
  OwnershipStore* store_;
  bool fake_group_dirs_;
  bool access_acls_;
};

}  // namespace fauxroot
