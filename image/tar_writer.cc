#include "image/tar_writer.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sstream>

namespace fauxroot {
namespace {

constexpr size_t kChunk = 1 << 16;

// Reads a small file inside the root without leaving it (absolute symlinks in
// the root resolve against the root).
std::string ReadInRoot(int root_fd, const char* path) {
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT;
  int fd = static_cast<int>(syscall(SYS_openat2, root_fd, path, &how, sizeof how));
  if (fd < 0) return "";
  UniqueFd owned(fd);
  std::string text;
  char buffer[kChunk];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  return text;
}

std::map<uint32_t, std::string> ParseIdFile(const std::string& text) {
  std::map<uint32_t, std::string> ids;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // name:password:id:...
    size_t first = line.find(':');
    size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    char* end;
    unsigned long id = strtoul(line.c_str() + second + 1, &end, 10);
    if (end == line.c_str() + second + 1 || *end != ':') continue;
    ids.try_emplace(static_cast<uint32_t>(id), line.substr(0, first));  // the first name wins
  }
  return ids;
}

// Images carry file capabilities as revision 2: a namespaced (v3) form would
// bind them to a root id that means nothing outside this machine.
std::string PlainCapability(const std::string& value) {
  if (value.size() != XATTR_CAPS_SZ_3) return value;
  uint32_t magic;
  memcpy(&magic, value.data(), sizeof magic);
  if ((magic & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_3) return value;
  std::string plain = value.substr(0, XATTR_CAPS_SZ_2);
  magic = (magic & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_2;
  memcpy(plain.data(), &magic, sizeof magic);
  return plain;
}

}  // namespace

IdNames IdNames::Load(int root_fd) {
  IdNames names;
  names.users = ParseIdFile(ReadInRoot(root_fd, "/etc/passwd"));
  names.groups = ParseIdFile(ReadInRoot(root_fd, "/etc/group"));
  return names;
}

la_ssize_t TarWriter::WriteCallback(struct archive*, void* self, const void* data, size_t size) {
  auto* writer = static_cast<TarWriter*>(self);
  if (auto r = writer->sink_->Write(data, size); !r) {
    writer->sink_error_ = r.error();
    return -1;
  }
  return static_cast<la_ssize_t>(size);
}

Result<std::unique_ptr<TarWriter>> TarWriter::Create(LayerSink* sink, IdNames names,
                                                     std::optional<int64_t> clamp_mtime) {
  std::unique_ptr<TarWriter> writer(new TarWriter(sink, std::move(names), clamp_mtime));
  writer->archive_ = archive_write_new();
  if (writer->archive_ == nullptr) return MakeError(ENOMEM, "archive_write_new");
  if (auto r = writer->Check(archive_write_set_format_pax_restricted(writer->archive_),
                             "set tar format");
      !r) {
    return std::unexpected(r.error());
  }
  // Attributes as SCHILY.xattr records only (what GNU tar, containerd and
  // umoci read), not also as libarchive's own LIBARCHIVE.xattr.
  if (auto r = writer->Check(
          archive_write_set_format_option(writer->archive_, "pax", "xattrheader", "SCHILY"),
          "set tar xattr format");
      !r) {
    return std::unexpected(r.error());
  }
  archive_write_set_bytes_in_last_block(writer->archive_, 1);
  if (auto r = writer->Check(archive_write_open(writer->archive_, writer.get(), nullptr,
                                                &TarWriter::WriteCallback, nullptr),
                             "open tar stream");
      !r) {
    return std::unexpected(r.error());
  }
  return writer;
}

TarWriter::~TarWriter() {
  if (archive_ != nullptr) archive_write_free(archive_);
}

Result<void> TarWriter::Check(int rc, const std::string& what) {
  if (rc >= ARCHIVE_WARN) return {};
  if (sink_error_) return std::unexpected(*sink_error_);
  const char* message = archive_error_string(archive_);
  return MakeError(archive_errno(archive_), what + ": " + (message ? message : "libarchive error"));
}

Result<void> TarWriter::Add(const FileInfo& info, int dir_fd, const char* name) {
  std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(
      archive_entry_new2(archive_), &archive_entry_free);
  archive_entry_set_pathname(entry.get(), info.path.c_str());
  archive_entry_set_uid(entry.get(), info.uid);
  archive_entry_set_gid(entry.get(), info.gid);
  if (auto it = names_.users.find(info.uid); it != names_.users.end()) {
    archive_entry_set_uname(entry.get(), it->second.c_str());
  }
  if (auto it = names_.groups.find(info.gid); it != names_.groups.end()) {
    archive_entry_set_gname(entry.get(), it->second.c_str());
  }
  archive_entry_set_perm(entry.get(), info.permissions);
  int64_t mtime = info.mtime.tv_sec;
  long mtime_ns = info.mtime.tv_nsec;
  if (clamp_ && mtime > *clamp_) {
    mtime = *clamp_;
    mtime_ns = 0;
  }
  archive_entry_set_mtime(entry.get(), mtime, mtime_ns);
  for (const Xattr& x : info.xattrs) {
    std::string value = x.name == "security.capability" ? PlainCapability(x.value) : x.value;
    archive_entry_xattr_add_entry(entry.get(), x.name.c_str(), value.data(), value.size());
  }
  if (!info.hardlink_to.empty()) {
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_hardlink(entry.get(), info.hardlink_to.c_str());
    archive_entry_set_size(entry.get(), 0);
  } else {
    archive_entry_set_filetype(entry.get(), info.type);
    if (S_ISLNK(info.type)) archive_entry_set_symlink(entry.get(), info.link_target.c_str());
    if (S_ISCHR(info.type) || S_ISBLK(info.type)) {
      archive_entry_set_rdevmajor(entry.get(), major(info.rdev));
      archive_entry_set_rdevminor(entry.get(), minor(info.rdev));
    }
    archive_entry_set_size(entry.get(),
                           S_ISREG(info.type) ? static_cast<la_int64_t>(info.size) : 0);
  }
  if (auto r = Check(archive_write_header(archive_, entry.get()), "write " + info.path); !r) {
    return r;
  }
  ++entries_;
  if (!S_ISREG(info.type) || !info.hardlink_to.empty() || info.size == 0) return {};

  UniqueFd file(openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file) return ErrnoError("open " + info.path);
  uint64_t left = info.size;
  std::unique_ptr<char[]> buffer(new char[kChunk]);
  while (left > 0) {
    ssize_t n = read(file.get(), buffer.get(), left < kChunk ? left : kChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read " + info.path);
    }
    if (n == 0) return MakeError(EIO, info.path + " shrank while it was exported");
    if (archive_write_data(archive_, buffer.get(), static_cast<size_t>(n)) < 0) {
      return Check(ARCHIVE_FATAL, "write " + info.path);
    }
    left -= static_cast<uint64_t>(n);
  }
  return {};
}

Result<void> TarWriter::AddWhiteout(const std::string& path, bool opaque) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name =
      opaque ? path + "/.wh..wh..opq"
             : dir + ".wh." + (slash == std::string::npos ? path : path.substr(slash + 1));
  std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> entry(
      archive_entry_new2(archive_), &archive_entry_free);
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0);
  archive_entry_set_size(entry.get(), 0);
  if (auto r = Check(archive_write_header(archive_, entry.get()), "write " + name); !r) return r;
  ++entries_;
  return {};
}

Result<void> TarWriter::Finish() {
  if (auto r = Check(archive_write_close(archive_), "finish tar stream"); !r) return r;
  return {};
}

}  // namespace fauxroot
