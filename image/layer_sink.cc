#include "image/layer_sink.h"

#include <errno.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <vector>

namespace fauxroot {
namespace {

constexpr size_t kChunk = 1 << 16;

class PlainSink final : public LayerSink {
 public:
  using LayerSink::LayerSink;

 protected:
  Result<void> Compress(const void* data, size_t size, bool) override { return Emit(data, size); }
};

class GzipSink final : public LayerSink {
 public:
  explicit GzipSink(UniqueFd fd) : LayerSink(std::move(fd)) {
    // windowBits 16+15: a gzip wrapper whose header has no name and mtime 0.
    stream_.zalloc = nullptr;
    stream_.zfree = nullptr;
    stream_.opaque = nullptr;
    ok_ = deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipSink() override {
    if (ok_) deflateEnd(&stream_);
  }

 protected:
  Result<void> Compress(const void* data, size_t size, bool finish) override {
    if (!ok_) return MakeError(ENOMEM, "zlib deflateInit2");
    stream_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    stream_.avail_in = static_cast<uInt>(size);
    unsigned char out[kChunk];
    int rc;
    do {
      stream_.next_out = out;
      stream_.avail_out = sizeof out;
      rc = deflate(&stream_, finish ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return MakeError(EIO, "zlib deflate");
      if (auto r = Emit(out, sizeof out - stream_.avail_out); !r) return r;
    } while (stream_.avail_out == 0 || (finish && rc != Z_STREAM_END));
    return {};
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

class ZstdSink final : public LayerSink {
 public:
  explicit ZstdSink(UniqueFd fd) : LayerSink(std::move(fd)), ctx_(ZSTD_createCCtx()) {
    if (ctx_ != nullptr) ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, 3);
  }
  ~ZstdSink() override { ZSTD_freeCCtx(ctx_); }

 protected:
  Result<void> Compress(const void* data, size_t size, bool finish) override {
    if (ctx_ == nullptr) return MakeError(ENOMEM, "ZSTD_createCCtx");
    ZSTD_inBuffer in = {data, size, 0};
    unsigned char out[kChunk];
    for (;;) {
      ZSTD_outBuffer o = {out, sizeof out, 0};
      size_t left = ZSTD_compressStream2(ctx_, &o, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(left))
        return MakeError(EIO, std::string("zstd: ") + ZSTD_getErrorName(left));
      if (auto r = Emit(out, o.pos); !r) return r;
      if (finish ? left == 0 : in.pos == in.size) return {};
    }
  }

 private:
  ZSTD_CCtx* ctx_;
};

}  // namespace

Result<Compression> ParseCompression(const std::string& name) {
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  if (name == "none") return Compression::kNone;
  return MakeError(EINVAL, "unknown compression '" + name + "' (gzip, zstd or none)");
}

std::string LayerMediaType(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case Compression::kZstd:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    case Compression::kNone:
      break;
  }
  return "application/vnd.oci.image.layer.v1.tar";
}

Result<std::unique_ptr<LayerSink>> LayerSink::Create(UniqueFd fd, Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return std::unique_ptr<LayerSink>(new GzipSink(std::move(fd)));
    case Compression::kZstd:
      return std::unique_ptr<LayerSink>(new ZstdSink(std::move(fd)));
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<LayerSink>(new PlainSink(std::move(fd)));
}

Result<void> LayerSink::Write(const void* data, size_t size) {
  tar_hash_.Update(data, size);
  return Compress(data, size, false);
}

Result<void> LayerSink::Emit(const void* data, size_t size) {
  blob_hash_.Update(data, size);
  blob_size_ += size;
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd_.get(), p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write layer");
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

Result<WrittenLayer> LayerSink::Finish() {
  if (auto r = Compress(nullptr, 0, true); !r) return std::unexpected(r.error());
  if (fsync(fd_.get()) != 0 && errno != EINVAL) return ErrnoError("sync layer");
  return WrittenLayer{tar_hash_.Finish(), blob_hash_.Finish(), blob_size_};
}

}  // namespace fauxroot
