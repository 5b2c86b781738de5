#include "image/importer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <memory>
#include <set>
#include <vector>

#include "common/fd_path.h"
#include "common/unique_fd.h"
#include "image/exporter.h"
#include "image/oci_layout.h"
#include "image/sha256.h"

namespace fauxroot {
namespace {

constexpr size_t kChunk = 1 << 16;

Expected<UniqueFd> OpenInRoot(int root_fd, const std::string& path, uint64_t flags) {
  struct open_how how {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(
      syscall(SYS_openat2, root_fd, path.empty() ? "." : path.c_str(), &how, sizeof how));
  if (fd < 0) return std::unexpected(errno);
  return UniqueFd(fd);
}

// libarchive's message, which may be missing.
std::string ArchiveError(struct archive* archive) {
  const char* message = archive_error_string(archive);
  return message != nullptr ? message : "malformed archive";
}

// "a/./b/" -> "a/b"; refuses "..".
Result<std::string> CleanPath(const char* raw) {
  if (raw == nullptr) return MakeError(EINVAL, "refusing an entry without a name");
  std::string clean;
  std::string name = raw;
  size_t at = 0;
  while (at <= name.size()) {
    size_t slash = name.find('/', at);
    if (slash == std::string::npos) slash = name.size();
    std::string part = name.substr(at, slash - at);
    at = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return MakeError(EINVAL, "refusing an entry that climbs out: " + name);
    if (!clean.empty()) clean += '/';
    clean += part;
  }
  return clean;
}

// Removes `name` in `dir_fd`, recursively for directories.
Result<void> RemoveTree(int dir_fd, const std::string& name) {
  if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR) return ErrnoError("remove " + name);
  UniqueFd sub(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!sub) return ErrnoError("open " + name);
  int copy = fcntl(sub.get(), F_DUPFD_CLOEXEC, 0);
  DIR* dir = fdopendir(copy);
  if (dir == nullptr) return ErrnoError("read " + name);
  std::vector<std::string> children;
  while (struct dirent* entry = readdir(dir)) {
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
      children.emplace_back(entry->d_name);
    }
  }
  closedir(dir);
  for (const std::string& child : children) {
    if (auto r = RemoveTree(sub.get(), child); !r) return r;
  }
  if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) return ErrnoError("remove " + name);
  return {};
}

class LayerApplier {
 public:
  LayerApplier(int root_fd, FakeMetadata& metadata, bool whiteouts)
      : root_fd_(root_fd), metadata_(metadata), whiteouts_(whiteouts) {}

  // Applies the tar stream of `archive` (opened for reading).
  Result<uint64_t> Apply(struct archive* archive) {
    struct archive_entry* entry;
    int rc;
    while ((rc = archive_read_next_header(archive, &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
      if (auto r = Entry(archive, entry); !r) return std::unexpected(r.error());
      ++entries_;
    }
    if (rc != ARCHIVE_EOF) {
      return MakeError(archive_errno(archive) ? archive_errno(archive) : EINVAL,
                       "read layer: " + ArchiveError(archive));
    }
    // Directory times last: creating their contents changed them.
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
      auto dir = OpenInRoot(root_fd_, it->first, O_PATH | O_NOFOLLOW);
      if (!dir) continue;
      struct timespec times[2] = {it->second, it->second};
      FdPath link(dir->get());
      utimensat(AT_FDCWD, link.c_str(), times, 0);
    }
    return entries_;
  }

 private:
  Result<void> Entry(struct archive* archive, struct archive_entry* entry) {
    auto path = CleanPath(archive_entry_pathname(entry));
    if (!path) return std::unexpected(path.error());
    if (path->empty()) return {};  // the root itself
    size_t slash = path->rfind('/');
    const std::string parent = slash == std::string::npos ? "" : path->substr(0, slash);
    const std::string name = slash == std::string::npos ? *path : path->substr(slash + 1);
    auto dir = Parent(parent);
    if (!dir) return std::unexpected(dir.error());

    if (whiteouts_ && name.starts_with(".wh.")) {
      if (name == ".wh..wh..opq") return Opaque(dir->get(), parent);
      return RemoveTree(dir->get(), name.substr(4));
    }
    created_.insert(*path);

    const mode_t type = archive_entry_filetype(entry);
    const mode_t perm = archive_entry_perm(entry);
    struct stat existing;
    const bool exists = fstatat(dir->get(), name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !(S_ISDIR(existing.st_mode) && type == AE_IFDIR)) {
      if (auto r = RemoveTree(dir->get(), name); !r) return r;
    }

    InodeRecord record;
    record.uid = static_cast<uint32_t>(archive_entry_uid(entry));
    record.gid = static_cast<uint32_t>(archive_entry_gid(entry));
    const char* hardlink = archive_entry_hardlink(entry);
    int rc = 0;
    if (hardlink != nullptr) {
      auto target_path = CleanPath(hardlink);
      if (!target_path) return std::unexpected(target_path.error());
      auto target = OpenInRoot(root_fd_, *target_path, O_PATH | O_NOFOLLOW);
      if (!target) return MakeError(target.error(), "hard link target " + *target_path);
      // Through the /proc link: linkat with AT_EMPTY_PATH needs a privilege.
      FdPath target_link(target->get());
      if (linkat(AT_FDCWD, target_link.c_str(), dir->get(), name.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        return ErrnoError("link " + *path + " to " + *target_path);
      }
      return {};  // a hard link shares its inode's record and data
    }
    switch (type) {
      case AE_IFDIR:
        if (!exists) rc = mkdirat(dir->get(), name.c_str(), 0700);
        break;
      case AE_IFREG: {
        UniqueFd out(openat(dir->get(), name.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!out) return ErrnoError("create " + *path);
        if (auto r = CopyData(archive, out.get(), *path); !r) return r;
        break;
      }
      case AE_IFLNK:
        if (archive_entry_symlink(entry) == nullptr) {
          return MakeError(EINVAL, "refusing a symlink without a target: " + *path);
        }
        rc = symlinkat(archive_entry_symlink(entry), dir->get(), name.c_str());
        break;
      case AE_IFIFO:
        rc = mknodat(dir->get(), name.c_str(), S_IFIFO | 0600, 0);
        break;
      case AE_IFCHR:
      case AE_IFBLK: {
        // A placeholder; the record says what it stands for.
        UniqueFd out(openat(dir->get(), name.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        rc = out ? 0 : -1;
        record.type = type;
        record.rdev = makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
        break;
      }
      default:
        return MakeError(EINVAL, "unsupported entry type in the layer: " + *path);
    }
    if (rc != 0) return ErrnoError("create " + *path);

    UniqueFd made(openat(dir->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!made) return ErrnoError("open " + *path);
    FdPath link(made.get());
    const bool is_link = type == AE_IFLNK;
    if (!is_link && fchmodat(AT_FDCWD, link.c_str(), perm, 0) != 0)
      return ErrnoError("chmod " + *path);

    archive_entry_xattr_reset(entry);
    const char* xname;
    const void* xvalue;
    size_t xsize;
    while (archive_entry_xattr_next(entry, &xname, &xvalue, &xsize) == ARCHIVE_OK) {
      std::string key = xname;
      if (key.starts_with("user.") && !is_link) {
        if (setxattr(link.c_str(), xname, xvalue, xsize, 0) != 0)
          return ErrnoError("set " + key + " on " + *path);
      } else if (!key.starts_with("user.")) {
        record.SetXattr(key, std::string(static_cast<const char*>(xvalue), xsize));
      }
    }
    struct stat st;
    if (fstat(made.get(), &st) != 0) return ErrnoError("stat " + *path);
    if (auto stored = metadata_.Store(made.get(), st, record); !stored) {
      return MakeError(stored.error(), "record " + *path);
    }
    struct timespec mtime = {archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
    if (type == AE_IFDIR) {
      dir_times_.push_back({*path, mtime});
    } else {
      struct timespec times[2] = {mtime, mtime};
      utimensat(dir->get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
    return {};
  }

  // The directory `parent` (created, with its parents, when missing).
  Result<UniqueFd> Parent(const std::string& parent) {
    auto dir = OpenInRoot(root_fd_, parent, O_RDONLY | O_DIRECTORY);
    if (dir) return std::move(*dir);
    if (dir.error() != ENOENT) return MakeError(dir.error(), "directory " + parent);
    size_t slash = parent.rfind('/');
    auto above = Parent(slash == std::string::npos ? "" : parent.substr(0, slash));
    if (!above) return above;
    std::string name = slash == std::string::npos ? parent : parent.substr(slash + 1);
    if (mkdirat(above->get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("create " + parent);
    }
    auto made = OpenInRoot(root_fd_, parent, O_RDONLY | O_DIRECTORY);
    if (!made) return MakeError(made.error(), "directory " + parent);
    return std::move(*made);
  }

  // An opaque whiteout: what lower layers put in `parent` goes.
  Result<void> Opaque(int dir_fd, const std::string& parent) {
    int copy = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    DIR* dir = fdopendir(copy);
    if (dir == nullptr) return ErrnoError("read " + parent);
    std::vector<std::string> names;
    while (struct dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      if (!created_.count(parent.empty() ? name : parent + "/" + name)) names.push_back(name);
    }
    closedir(dir);
    for (const std::string& name : names) {
      if (auto r = RemoveTree(dir_fd, name); !r) return r;
    }
    return {};
  }

  Result<void> CopyData(struct archive* archive, int out, const std::string& path) {
    std::unique_ptr<char[]> buffer(new char[kChunk]);
    for (;;) {
      la_ssize_t n = archive_read_data(archive, buffer.get(), kChunk);
      if (n < 0) return MakeError(EIO, "read " + path + ": " + ArchiveError(archive));
      if (n == 0) return {};
      const char* p = buffer.get();
      while (n > 0) {
        ssize_t w = write(out, p, static_cast<size_t>(n));
        if (w < 0) return ErrnoError("write " + path);
        p += w;
        n -= w;
      }
    }
  }

  int root_fd_;
  FakeMetadata& metadata_;
  bool whiteouts_;
  uint64_t entries_ = 0;
  std::set<std::string> created_;
  std::vector<std::pair<std::string, struct timespec>> dir_times_;
};

// Reads a blob while checking it against its digest.
struct DigestingReader {
  UniqueFd fd;
  Sha256 hash;
  char buffer[kChunk];
  static la_ssize_t Read(struct archive*, void* self, const void** data) {
    auto* reader = static_cast<DigestingReader*>(self);
    ssize_t n = read(reader->fd.get(), reader->buffer, sizeof reader->buffer);
    if (n > 0) reader->hash.Update(reader->buffer, static_cast<size_t>(n));
    *data = reader->buffer;
    return n;
  }
};

Result<uint64_t> ApplyFile(int root_fd, FakeMetadata& metadata, const std::string& path,
                           bool whiteouts, const std::string& expected_digest) {
  auto reader = std::make_unique<DigestingReader>();
  reader->fd.reset(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!reader->fd) return ErrnoError("open " + path);
  std::unique_ptr<struct archive, decltype(&archive_read_free)> archive(archive_read_new(),
                                                                        &archive_read_free);
  archive_read_support_filter_all(archive.get());
  archive_read_support_format_tar(archive.get());
  if (archive_read_open(archive.get(), reader.get(), nullptr, &DigestingReader::Read, nullptr) !=
      ARCHIVE_OK) {
    return MakeError(EINVAL, path + ": " + ArchiveError(archive.get()));
  }
  LayerApplier applier(root_fd, metadata, whiteouts);
  auto entries = applier.Apply(archive.get());
  if (!entries) {
    return MakeError(entries.error().errno_value(), path + ": " + entries.error().context());
  }
  if (!expected_digest.empty()) {
    char rest[kChunk];
    while (read(reader->fd.get(), rest, sizeof rest) > 0) {
    }
    // Bytes after the end of the tar still count toward the digest.
    if (reader->hash.Finish() != expected_digest) {
      return MakeError(EINVAL, "layer " + path + " does not match its digest " + expected_digest);
    }
  }
  return *entries;
}

}  // namespace

Result<ImportResult> Import(FakeMetadata& metadata, const ImportOptions& options) {
  if (mkdir(options.rootfs.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError("create --rootfs " + options.rootfs);
  }
  UniqueFd root(open(options.rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return ErrnoError("--rootfs " + options.rootfs);
  ImportResult result;
  if (options.tar) {
    auto entries = ApplyFile(root.get(), metadata, *options.tar, false, "");
    if (!entries) return std::unexpected(entries.error());
    result.entries = *entries;
    result.layers = 1;
    return result;
  }
  auto [layout_path, tag] = SplitLayoutAndTag(*options.oci);
  struct stat st;
  if (stat((layout_path + "/index.json").c_str(), &st) != 0) {
    return ErrnoError("--oci " + layout_path + "/index.json");
  }
  auto layout = OciLayout::Open(layout_path);
  if (!layout) return std::unexpected(layout.error());
  auto layers = layout->ReadImage(tag);
  if (!layers) return std::unexpected(layers.error());
  for (const LayerDescriptor& layer : *layers) {
    auto entries =
        ApplyFile(root.get(), metadata, layout->BlobPath(layer.digest), true, layer.digest);
    if (!entries) return std::unexpected(entries.error());
    result.entries += *entries;
    ++result.layers;
    auto committed = Commit(metadata, options.db_dir, options.rootfs, std::nullopt);
    if (!committed) return std::unexpected(committed.error());
  }
  return result;
}

}  // namespace fauxroot
