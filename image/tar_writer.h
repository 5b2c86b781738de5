// TarWriter: a PAX tar stream built with libarchive, written to a LayerSink.
//
// Entries carry numeric ids and the names of the root's /etc/passwd and
// /etc/group, device numbers, link targets, hard links, and extended
// attributes as SCHILY.xattr records (security.capability in its plain v2
// form). Nothing in the stream depends on the time, the process or the order
// of directory reads, so the same tree gives the same bytes.
#pragma once

#include <archive.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "image/layer_sink.h"
#include "image/tree_walker.h"

namespace fauxroot {

// uid -> user name and gid -> group name, from a root's /etc/passwd and /etc/group.
struct IdNames {
  std::map<uint32_t, std::string> users;
  std::map<uint32_t, std::string> groups;
  // Reads them inside the root open as `root_fd` (missing files: no names).
  static IdNames Load(int root_fd);
};

class TarWriter {
 public:
  // `clamp_mtime`: SOURCE_DATE_EPOCH; later mtimes become it.
  static Result<std::unique_ptr<TarWriter>> Create(LayerSink* sink, IdNames names,
                                                   std::optional<int64_t> clamp_mtime);
  ~TarWriter();

  // Writes the entry; for a regular file (not a hard link) its data is read from
  // `name` in `dir_fd`.
  Result<void> Add(const FileInfo& info, int dir_fd, const char* name);
  // An OCI whiteout: `path` is deleted (".wh.NAME"), or with `opaque` the
  // directory `path` hides everything below it from lower layers.
  Result<void> AddWhiteout(const std::string& path, bool opaque);
  // Writes the end of the archive.
  Result<void> Finish();

  uint64_t entries() const { return entries_; }

 private:
  TarWriter(LayerSink* sink, IdNames names, std::optional<int64_t> clamp)
      : sink_(sink), names_(std::move(names)), clamp_(clamp) {}
  Result<void> Check(int rc, const std::string& what);
  static la_ssize_t WriteCallback(struct archive*, void* self, const void* data, size_t size);

  LayerSink* sink_;
  IdNames names_;
  std::optional<int64_t> clamp_;
  struct archive* archive_ = nullptr;
  std::optional<Error> sink_error_;
  uint64_t entries_ = 0;
};

}  // namespace fauxroot
