// Import: unpack a tar or the layers of an OCI image into a root directory as
// an unprivileged user, recording in the db every owner, device, set-id bit and
// attribute the headers carry, so that import -> run -> export round-trips.
//
// Safety: every path is resolved inside the root (openat2 RESOLVE_IN_ROOT), so
// neither "..", absolute names nor symlinks in the image lead outside it;
// entries naming ".." are refused. Devices become placeholders; nothing is
// ever opened but regular files the import itself creates.
//
// OCI layers are applied bottom up with their whiteouts (.wh.NAME deletes a
// lower path, .wh..wh..opq empties a lower directory) and blobs are checked
// against their digests. After each layer a commit is recorded (exporter.h), so
// a later export keeps the image's layers and adds the new changes on top.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "supervisor/fake_metadata.h"

namespace fauxroot {

struct ImportOptions {
  std::string rootfs;  // created when missing
  std::string db_dir;
  std::optional<std::string> tar;  // a root file system tarball (any compression)
  std::optional<std::string> oci;  // LAYOUT[:TAG]
};

struct ImportResult {
  size_t layers = 0;
  uint64_t entries = 0;
};

Result<ImportResult> Import(FakeMetadata& metadata, const ImportOptions& options);

}  // namespace fauxroot
