// Export: a root and its db as a tar file or as layers of an OCI image; commit:
// a snapshot that ends a layer.
//
// Layers. `commit` writes the changes since the previous commit (the whole
// tree for the first) as an uncompressed tar layer in DB/layers/, with the
// manifest of the tree it saw: per path, type, mode, owner, device, size,
// mtime, inode, link target and attributes. `export --oci` writes every
// committed layer, and on top of them a layer of what changed since the last
// commit (if anything did). Deleted paths become OCI whiteouts (.wh.NAME); a
// directory that was replaced by a new one gets an opaque whiteout
// (.wh..wh..opq). A file whose content changed without a change of size,
// mtime or inode is not seen as changed (as with tar --listed-incremental).
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "image/layer_sink.h"
#include "image/oci_layout.h"
#include "supervisor/fake_metadata.h"

namespace fauxroot {

struct ExportOptions {
  std::string rootfs;
  std::string db_dir;
  std::optional<std::string> tar_path;  // a flat tar of the whole tree
  std::optional<std::string> oci;       // LAYOUT[:TAG]
  Compression compression = Compression::kGzip;
  std::optional<int64_t> source_date_epoch;
  ImageConfig config;
  bool progress = false;  // a counter on stderr
};

struct ExportResult {
  std::string manifest_digest;  // OCI
  size_t layers = 0;
  uint64_t entries = 0;
};

Result<ExportResult> Export(FakeMetadata& metadata, const ExportOptions& options);

// Records a snapshot of `rootfs` in DB/layers/ and the layer of its changes.
// Returns the number of entries in the new layer.
Result<uint64_t> Commit(FakeMetadata& metadata, const std::string& db_dir,
                        const std::string& rootfs, std::optional<int64_t> source_date_epoch);

}  // namespace fauxroot
