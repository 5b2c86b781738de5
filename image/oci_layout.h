// OciLayout: an OCI image layout directory (image-spec v1.1): `oci-layout`,
// `index.json` and content-addressed blobs under `blobs/sha256/`.
//
// JSON is written with sorted keys and no spaces, so equal content gives equal
// digests.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace fauxroot {

// The parts of an image config (the "config" object) a user sets with --config.
struct ImageConfig {
  std::vector<std::string> env;
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::vector<std::string>> entrypoint;
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
};

struct LayerDescriptor {
  std::string media_type;
  std::string digest;  // of the blob
  uint64_t size = 0;
  std::string diff_id;  // of the uncompressed tar
  std::string created_by;
};

class OciLayout {
 public:
  // Opens or creates the layout directory.
  static Result<OciLayout> Open(const std::string& path);

  // A new file for a blob being written; CommitBlob gives it its digest's name.
  Result<UniqueFd> NewBlob(std::string* temp_path);
  Result<void> CommitBlob(const std::string& temp_path, const std::string& digest);
  // Writes `content` as a blob; returns its digest.
  Result<std::string> WriteBlob(const std::string& content);
  std::string BlobPath(const std::string& digest) const;

  // Writes config and manifest for `layers` and points `tag` at them in
  // index.json (replacing what the tag named before). `created`: the image's
  // creation time in seconds (SOURCE_DATE_EPOCH), or none for no timestamps.
  Result<std::string> WriteImage(const std::vector<LayerDescriptor>& layers,
                                 const ImageConfig& config, std::optional<int64_t> created,
                                 const std::string& tag);

  // The layers of the image `tag` (or of the only image when `tag` is empty),
  // bottom first, with their diff_ids from the config.
  Result<std::vector<LayerDescriptor>> ReadImage(const std::string& tag) const;

  const std::string& path() const { return path_; }

 private:
  explicit OciLayout(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Splits "LAYOUT:TAG" (the tag defaults to "latest").
std::pair<std::string, std::string> SplitLayoutAndTag(const std::string& spec);

}  // namespace fauxroot
