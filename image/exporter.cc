#include "image/exporter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "image/sha256.h"
#include "image/tar_writer.h"

namespace fauxroot {
namespace {

using Manifest = std::map<std::string, std::string>;  // path -> signature

// Everything that, changed, puts a path into the next layer.
std::string Signature(const FileInfo& info) {
  std::ostringstream s;
  s << std::oct << info.type << ' ' << info.permissions << std::dec << ' ' << info.uid << ' '
    << info.gid << ' ' << info.rdev << ' ' << info.size << ' ' << info.mtime.tv_sec << '.'
    << info.mtime.tv_nsec << ' ' << info.ino << '.' << info.generation << ' '
    << info.hardlink_to.size() << ':' << info.hardlink_to << ' ' << info.link_target.size() << ':'
    << info.link_target << ' ';
  Sha256 xattrs;
  for (const Xattr& x : info.xattrs) {
    xattrs.Update(x.name.data(), x.name.size() + 1);
    xattrs.Update(x.value.data(), x.value.size());
    xattrs.Update("\n", 1);
  }
  s << xattrs.Finish();
  return s.str();
}

// "ino.generation": the identity of the inode.
std::string SignatureInode(const std::string& signature) {
  // type perm uid gid rdev size mtime inode ...
  std::istringstream in(signature);
  std::string field;
  for (int i = 0; i < 8; ++i) in >> field;
  return field;
}

bool SignatureIsDir(const std::string& signature) {
  return (strtoul(signature.c_str(), nullptr, 8) & S_IFMT) == S_IFDIR;
}

std::string LayersDir(const std::string& db_dir) { return db_dir + "/layers"; }

// The committed layers, in order: DB/layers/NNNNNN.tar with NNNNNN.manifest.
std::vector<std::string> CommittedLayers(const std::string& db_dir) {
  std::vector<std::string> stems;
  if (DIR* dir = opendir(LayersDir(db_dir).c_str())) {
    while (struct dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.size() == 10 && name.ends_with(".tar")) stems.push_back(name.substr(0, 6));
    }
    closedir(dir);
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

Result<Manifest> ReadManifest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("read snapshot " + path);
  Manifest manifest;
  for (std::string line; std::getline(in, line);) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) return MakeError(0, "corrupt snapshot " + path);
    manifest.emplace(line.substr(tab + 1), line.substr(0, tab));
  }
  return manifest;
}

Result<void> WriteManifest(const std::string& path, const Manifest& manifest) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    for (const auto& [file, signature] : manifest) out << signature << '\t' << file << '\n';
    out.flush();
    if (!out) return ErrnoError("write snapshot " + temp);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) return ErrnoError("store snapshot " + path);
  return {};
}

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void Tick(uint64_t entries) {
    if (!enabled_ || (entries & 1023) != 0) return;
    fprintf(stderr, "\rfauxroot: %llu entries", static_cast<unsigned long long>(entries));
  }
  ~Progress() {
    if (enabled_) fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
};

// Writes the layer of the changes from `previous` (none: everything) into
// `writer`; returns the new manifest when `keep_manifest` (a commit needs it;
// an export need not hold one entry per file in memory). Paths with newlines
// cannot be kept in a manifest and are refused.
Result<Manifest> WriteChanges(int root_fd, FakeMetadata& metadata, const Manifest* previous,
                              TarWriter& writer, Progress& progress, bool keep_manifest) {
  Manifest current;
  struct Pending {
    FileInfo info;
    bool emitted;
  };
  std::vector<Pending> ancestors;  // directories above the current entry
  std::set<std::string> emitted_paths;
  std::string replaced_prefix;  // a directory recreated since the snapshot: all below is new
  std::vector<std::string> opaque_dirs;  // whose old contents need no whiteouts

  auto within = [](const std::string& path, const std::string& dir) {
    return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
           path[dir.size()] == '/';
  };
  Result<void> walked = WalkTree(
      root_fd, metadata, [&](const FileInfo& info, int dir_fd, const char* name) -> Result<void> {
        if (info.path.find('\n') != std::string::npos) {
          return MakeError(EINVAL, "cannot export a path with a newline: " + info.path);
        }
        while (!ancestors.empty() && !within(info.path, ancestors.back().info.path)) {
          ancestors.pop_back();
        }
        if (!replaced_prefix.empty() && !within(info.path, replaced_prefix))
          replaced_prefix.clear();
        const std::string signature = Signature(info);
        if (keep_manifest || previous != nullptr) current.emplace(info.path, signature);
        bool changed = previous == nullptr || !replaced_prefix.empty();
        bool opaque = false;
        if (!changed) {
          auto it = previous->find(info.path);
          changed = it == previous->end() || it->second != signature;
          if (it != previous->end() && S_ISDIR(info.type) && SignatureIsDir(it->second) &&
              SignatureInode(it->second) !=
                  std::to_string(info.ino) + "." + std::to_string(info.generation)) {
            opaque = true;  // the directory was deleted and made anew
          }
        }
        // A hard link to a path this layer does not carry must carry the data.
        FileInfo copy;
        const FileInfo* entry = &info;
        if (changed && !info.hardlink_to.empty() && !emitted_paths.count(info.hardlink_to)) {
          copy = info;
          copy.hardlink_to.clear();
          entry = &copy;
        }
        if (changed) {
          for (Pending& dir : ancestors) {
            if (dir.emitted) continue;
            if (auto r = writer.Add(dir.info, -1, ""); !r) return r;
            emitted_paths.insert(dir.info.path);
            dir.emitted = true;
          }
          if (auto r = writer.Add(*entry, dir_fd, name); !r) return r;
          emitted_paths.insert(info.path);
          if (opaque) {
            if (auto r = writer.AddWhiteout(info.path, true); !r) return r;
            replaced_prefix = info.path;
            opaque_dirs.push_back(info.path);
          }
          progress.Tick(writer.entries());
        }
        if (S_ISDIR(info.type)) ancestors.push_back({info, changed});
        return {};
      });
  if (!walked) return std::unexpected(walked.error());
  if (previous != nullptr) {
    std::string deleted_dir;
    for (const auto& [path, signature] : *previous) {
      if (current.count(path)) continue;
      if (!deleted_dir.empty() && within(path, deleted_dir)) continue;  // its parent went
      if (std::any_of(opaque_dirs.begin(), opaque_dirs.end(),
                      [&](const std::string& dir) { return within(path, dir); })) {
        continue;  // hidden by the opaque whiteout
      }
      if (auto r = writer.AddWhiteout(path, false); !r) return std::unexpected(r.error());
      if (SignatureIsDir(signature)) deleted_dir = path;
    }
  }
  return current;
}

Result<UniqueFd> OpenRoot(const std::string& rootfs) {
  UniqueFd fd(open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoError("--rootfs " + rootfs);
  return fd;
}

// Compresses the uncompressed layer `tar` into a blob of `layout`.
Result<LayerDescriptor> StoreLayer(OciLayout& layout, const std::string& tar,
                                   Compression compression) {
  UniqueFd in(open(tar.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) return ErrnoError("open layer " + tar);
  std::string temp;
  auto out = layout.NewBlob(&temp);
  if (!out) return std::unexpected(out.error());
  auto sink = LayerSink::Create(std::move(*out), compression);
  if (!sink) return std::unexpected(sink.error());
  char buffer[1 << 16];
  ssize_t n;
  while ((n = read(in.get(), buffer, sizeof buffer)) > 0) {
    if (auto r = (*sink)->Write(buffer, static_cast<size_t>(n)); !r)
      return std::unexpected(r.error());
  }
  if (n < 0) return ErrnoError("read layer " + tar);
  auto written = (*sink)->Finish();
  if (!written) return std::unexpected(written.error());
  if (auto r = layout.CommitBlob(temp, written->digest); !r) return std::unexpected(r.error());
  return LayerDescriptor{LayerMediaType(compression), written->digest, written->size,
                         written->diff_id, "fauxroot"};
}

}  // namespace

Result<uint64_t> Commit(FakeMetadata& metadata, const std::string& db_dir,
                        const std::string& rootfs, std::optional<int64_t> source_date_epoch) {
  auto root = OpenRoot(rootfs);
  if (!root) return std::unexpected(root.error());
  std::string dir = LayersDir(db_dir);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoError("create " + dir);
  std::vector<std::string> layers = CommittedLayers(db_dir);
  std::optional<Manifest> previous;
  if (!layers.empty()) {
    auto read = ReadManifest(dir + "/" + layers.back() + ".manifest");
    if (!read) return std::unexpected(read.error());
    previous = std::move(*read);
  }
  char stem[16];
  snprintf(stem, sizeof stem, "%06zu", layers.size() + 1);
  std::string tar_path = dir + "/" + stem + ".tar";
  std::string temp = tar_path + ".tmp";
  UniqueFd out(open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out) return ErrnoError("create " + temp);
  auto sink = LayerSink::Create(std::move(out), Compression::kNone);
  if (!sink) return std::unexpected(sink.error());
  auto writer = TarWriter::Create(sink->get(), IdNames::Load(root->get()), source_date_epoch);
  if (!writer) return std::unexpected(writer.error());
  Progress progress(false);
  auto manifest =
      WriteChanges(root->get(), metadata, previous ? &*previous : nullptr, **writer, progress,
                   /*keep_manifest=*/true);
  if (!manifest) return std::unexpected(manifest.error());
  if (auto r = (*writer)->Finish(); !r) return std::unexpected(r.error());
  if (auto r = (*sink)->Finish(); !r) return std::unexpected(r.error());
  // The manifest first: a tar without one is not a committed layer yet.
  if (auto r = WriteManifest(dir + "/" + stem + ".manifest", *manifest); !r) {
    return std::unexpected(r.error());
  }
  if (rename(temp.c_str(), tar_path.c_str()) != 0) return ErrnoError("store layer " + tar_path);
  return (*writer)->entries();
}

Result<ExportResult> Export(FakeMetadata& metadata, const ExportOptions& options) {
  auto root = OpenRoot(options.rootfs);
  if (!root) return std::unexpected(root.error());
  ExportResult result;
  Progress progress(options.progress);

  if (options.tar_path) {
    UniqueFd out(open(options.tar_path->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out) return ErrnoError("create " + *options.tar_path);
    auto sink = LayerSink::Create(std::move(out), Compression::kNone);
    if (!sink) return std::unexpected(sink.error());
    auto writer =
        TarWriter::Create(sink->get(), IdNames::Load(root->get()), options.source_date_epoch);
    if (!writer) return std::unexpected(writer.error());
    auto walked = WriteChanges(root->get(), metadata, nullptr, **writer, progress, false);
    if (!walked) return std::unexpected(walked.error());
    if (auto r = (*writer)->Finish(); !r) return std::unexpected(r.error());
    if (auto r = (*sink)->Finish(); !r) return std::unexpected(r.error());
    result.entries = (*writer)->entries();
    result.layers = 1;
  }

  if (options.oci) {
    auto [layout_path, tag] = SplitLayoutAndTag(*options.oci);
    auto layout = OciLayout::Open(layout_path);
    if (!layout) return std::unexpected(layout.error());
    std::vector<LayerDescriptor> layers;
    std::optional<Manifest> previous;
    const std::string dir = LayersDir(options.db_dir);
    for (const std::string& stem : CommittedLayers(options.db_dir)) {
      auto stored = StoreLayer(*layout, dir + "/" + stem + ".tar", options.compression);
      if (!stored) return std::unexpected(stored.error());
      layers.push_back(*stored);
      auto read = ReadManifest(dir + "/" + stem + ".manifest");
      if (!read) return std::unexpected(read.error());
      previous = std::move(*read);
    }
    // The changes since the last commit, or the whole tree without commits.
    std::string temp;
    auto out = layout->NewBlob(&temp);
    if (!out) return std::unexpected(out.error());
    auto sink = LayerSink::Create(std::move(*out), options.compression);
    if (!sink) return std::unexpected(sink.error());
    auto writer =
        TarWriter::Create(sink->get(), IdNames::Load(root->get()), options.source_date_epoch);
    if (!writer) return std::unexpected(writer.error());
    auto manifest = WriteChanges(root->get(), metadata, previous ? &*previous : nullptr, **writer,
                                 progress, false);
    if (!manifest) return std::unexpected(manifest.error());
    const bool unchanged = previous && (*writer)->entries() == 0;
    if (auto r = (*writer)->Finish(); !r) return std::unexpected(r.error());
    auto written = (*sink)->Finish();
    if (!written) return std::unexpected(written.error());
    if (unchanged) {
      unlink(temp.c_str());
    } else {
      if (auto r = layout->CommitBlob(temp, written->digest); !r) return std::unexpected(r.error());
      layers.push_back({LayerMediaType(options.compression), written->digest, written->size,
                        written->diff_id, "fauxroot"});
    }
    auto digest = layout->WriteImage(layers, options.config, options.source_date_epoch, tag);
    if (!digest) return std::unexpected(digest.error());
    result.manifest_digest = *digest;
    result.layers = layers.size();
    result.entries += (*writer)->entries();
  }
  return result;
}

}  // namespace fauxroot
