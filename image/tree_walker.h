// TreeWalker: the files of a root directory as a build step under fauxroot
// sees them: the real tree joined with the db's records.
//
// Entries come depth-first, each directory's entries sorted by name (bytes),
// a directory before its contents; the root itself is not an entry. Memory is
// bounded by the depth of the tree times the width of its widest directory,
// plus one path per inode with several links.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "db/ownership_store.h"
#include "supervisor/fake_metadata.h"

namespace fauxroot {

struct FileInfo {
  std::string path;        // relative to the root, e.g. "usr/bin/ls"
  mode_t type = 0;         // S_IFMT bits as root would see them (placeholders: S_IFCHR/S_IFBLK)
  mode_t permissions = 0;  // 07777
  uint32_t uid = 0, gid = 0;
  dev_t rdev = 0;
  struct timespec mtime {};
  uint64_t size = 0;          // regular files (hard links included)
  std::string link_target;    // symlinks
  std::string hardlink_to;    // set on the second and later paths of an inode
  std::vector<Xattr> xattrs;  // sorted by name: the db's, then the file's own user.*
  dev_t dev = 0;              // the real inode, for change detection
  ino_t ino = 0;
  uint64_t generation = 0;  // tells a reused inode number from the old inode
};

// Calls `visit` for every entry under the directory open as `root_fd`.
// `visit` gets the open directory holding the entry and the entry's name, to
// read its data. Stops at the first error.
Result<void> WalkTree(
    int root_fd, FakeMetadata& metadata,
    const std::function<Result<void>(const FileInfo&, int dir_fd, const char* name)>& visit);

}  // namespace fauxroot
