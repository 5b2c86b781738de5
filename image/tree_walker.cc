#include "image/tree_walker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <utility>

#include "common/fd_path.h"
#include "common/unique_fd.h"

namespace fauxroot {
namespace {

// The file's own user.* attributes (the kernel keeps those for the user).
std::vector<Xattr> UserXattrs(int fd) {
  std::vector<Xattr> result;
  FdPath link(fd);
  std::string names(1024, '\0');
  ssize_t n;
  while ((n = listxattr(link.c_str(), names.data(), names.size())) < 0 && errno == ERANGE) {
    names.resize(names.size() * 4);
  }
  if (n <= 0) return result;
  for (size_t at = 0; at < static_cast<size_t>(n); at += strlen(names.c_str() + at) + 1) {
    std::string name = names.c_str() + at;
    if (!name.starts_with("user.")) continue;
    std::string value(256, '\0');
    ssize_t size;
    while ((size = getxattr(link.c_str(), name.c_str(), value.data(), value.size())) < 0 &&
           errno == ERANGE) {
      value.resize(value.size() * 4);
    }
    if (size < 0) continue;
    value.resize(static_cast<size_t>(size));
    result.push_back({std::move(name), std::move(value)});
  }
  return result;
}

class Walker {
 public:
  Walker(FakeMetadata& metadata,
         const std::function<Result<void>(const FileInfo&, int, const char*)>& visit)
      : metadata_(metadata), visit_(visit) {}

  Result<void> Directory(int dir_fd, const std::string& prefix) {
    int copy = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) return ErrnoError("open directory " + (prefix.empty() ? "." : prefix));
    DIR* dir = fdopendir(copy);
    if (dir == nullptr) {
      close(copy);
      return ErrnoError("read directory " + prefix);
    }
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* entry = readdir(dir)) {
      if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
        names.emplace_back(entry->d_name);
      }
    }
    int err = errno;
    closedir(dir);
    if (err != 0) return MakeError(err, "read directory " + prefix);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (auto r = Entry(dir_fd, prefix, name); !r) return r;
    }
    return {};
  }

 private:
  Result<void> Entry(int dir_fd, const std::string& prefix, const std::string& name) {
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    UniqueFd fd(openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return ErrnoError("open " + path);
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return ErrnoError("stat " + path);
    auto record = metadata_.Lookup(fd.get(), st);
    if (!record) return MakeError(record.error(), "read the db record of " + path);

    FileInfo info;
    info.path = path;
    info.type = st.st_mode & S_IFMT;
    info.permissions = st.st_mode & 07777;
    info.uid = st.st_uid;
    info.gid = st.st_gid;
    info.mtime = st.st_mtim;
    info.dev = st.st_dev;
    info.ino = st.st_ino;
    info.generation = InodeGeneration(fd.get());
    if (record->has_value()) {
      const InodeRecord& r = **record;
      info.uid = r.uid;
      info.gid = r.gid;
      if (r.type != 0) {
        info.type = r.type;
        info.rdev = r.rdev;
      }
      info.xattrs = r.xattrs;
    }
    if (S_ISLNK(info.type)) {
      char target[PATH_MAX];
      ssize_t n = readlinkat(fd.get(), "", target, sizeof target);
      if (n < 0) return ErrnoError("readlink " + path);
      info.link_target.assign(target, static_cast<size_t>(n));
    } else {
      for (Xattr& x : UserXattrs(fd.get())) {
        info.xattrs.push_back(std::move(x));
      }
      std::sort(info.xattrs.begin(), info.xattrs.end(),
                [](const Xattr& a, const Xattr& b) { return a.name < b.name; });
    }
    if (S_ISREG(info.type) && !(record->has_value() && (*record)->type != 0)) {
      info.size = static_cast<uint64_t>(st.st_size);
    }
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [it, inserted] = first_paths_.try_emplace({st.st_dev, st.st_ino}, path);
      if (!inserted) {
        info.hardlink_to = it->second;
      }
    }
    if (auto r = visit_(info, dir_fd, name.c_str()); !r) return r;
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) return ErrnoError("open directory " + path);
      return Directory(sub.get(), path);
    }
    return {};
  }

  FakeMetadata& metadata_;
  const std::function<Result<void>(const FileInfo&, int, const char*)>& visit_;
  std::map<std::pair<dev_t, ino_t>, std::string> first_paths_;
};

}  // namespace

Result<void> WalkTree(
    int root_fd, FakeMetadata& metadata,
    const std::function<Result<void>(const FileInfo&, int dir_fd, const char* name)>& visit) {
  Walker walker(metadata, visit);
  return walker.Directory(root_fd, "");
}

}  // namespace fauxroot
