// LayerSink: where a tar stream goes. It hashes the uncompressed stream (the
// layer's diff_id), compresses it (gzip, zstd or not at all) and writes the
// result to a file while hashing that too (the blob's digest).
//
// Deterministic: the gzip header carries no time or name, the compression
// levels are fixed, so the same tar gives the same blob, byte for byte.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "image/sha256.h"

namespace fauxroot {

enum class Compression { kNone, kGzip, kZstd };

// "gzip" | "zstd" | "none".
Result<Compression> ParseCompression(const std::string& name);
// The OCI media type of a layer blob.
std::string LayerMediaType(Compression compression);

struct WrittenLayer {
  std::string diff_id;  // sha256 of the tar
  std::string digest;   // sha256 of the blob
  uint64_t size = 0;    // of the blob
};

class LayerSink {
 public:
  // Writes into `fd` (which it then owns).
  static Result<std::unique_ptr<LayerSink>> Create(UniqueFd fd, Compression compression);
  virtual ~LayerSink() = default;

  Result<void> Write(const void* data, size_t size);
  // Flushes the compressor; the file is complete and synced afterwards.
  Result<WrittenLayer> Finish();

 protected:
  explicit LayerSink(UniqueFd fd) : fd_(std::move(fd)) {}
  virtual Result<void> Compress(const void* data, size_t size, bool finish) = 0;
  Result<void> Emit(const void* data, size_t size);

 private:
  UniqueFd fd_;
  Sha256 tar_hash_;
  Sha256 blob_hash_;
  uint64_t blob_size_ = 0;
};

}  // namespace fauxroot
