#include "shim/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace fauxroot {
namespace {

std::string Join(const std::string& root, const std::string& inside) {
  std::string path = root;
  if (!inside.starts_with("/")) path += "/";
  return path + inside;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool IsSymlink(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

Result<void> Mount(const char* source, const std::string& target, const char* type,
                   unsigned long flags, const char* what) {
  if (mount(source, target.c_str(), type, flags, nullptr) != 0) {
    return ErrnoError(std::string("mount ") + what + " on " + target);
  }
  return {};
}

Result<void> BindReadOnly(const std::string& source, const std::string& target) {
  if (auto r = Mount(source.c_str(), target, nullptr, MS_BIND | MS_REC, source.c_str()); !r) {
    return r;
  }
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) != 0) {
    return ErrnoError("make " + target + " read-only");
  }
  return {};
}

}  // namespace

Result<RootMountpoints> RootMountpoints::Create(const RootOptions& options) {
  RootMountpoints made;
  if (options.root.empty()) return made;
  struct stat st;
  if (stat(options.root.c_str(), &st) != 0) return ErrnoError("--root " + options.root);
  if (!S_ISDIR(st.st_mode)) return MakeError(ENOTDIR, "--root " + options.root);
  auto directory = [&](const std::string& inside) -> Result<void> {
    std::string path = Join(options.root, inside);
    if (Exists(path)) return {};
    if (mkdir(path.c_str(), 0755) != 0) return ErrnoError("create mount point " + path);
    made.created_.push_back({path, true});
    return {};
  };
  auto file = [&](const std::string& inside) -> Result<void> {
    std::string path = Join(options.root, inside);
    if (Exists(path)) return {};
    int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoError("create mount point " + path);
    close(fd);
    made.created_.push_back({path, false});
    return {};
  };
  for (const char* dir : {"/proc", "/sys", "/dev", "/tmp"}) {
    if (auto r = directory(dir); !r) return std::unexpected(r.error());
  }
  for (const char* device : kBoundDevices) {
    if (auto r = file(std::string("/dev/") + device); !r) return std::unexpected(r.error());
  }
  if (auto r = directory("/dev/pts"); !r) return std::unexpected(r.error());
  if (!IsSymlink(Join(options.root, "/dev/ptmx"))) {
    if (auto r = file("/dev/ptmx"); !r) return std::unexpected(r.error());
  }
  if (Exists(Join(options.root, "/etc")) && !IsSymlink(Join(options.root, "/etc/resolv.conf")) &&
      Exists("/etc/resolv.conf")) {
    if (auto r = file("/etc/resolv.conf"); !r) return std::unexpected(r.error());
  }
  return made;
}

RootMountpoints::~RootMountpoints() {
  // Innermost first.
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    if (it->second) {
      rmdir(it->first.c_str());
    } else {
      unlink(it->first.c_str());
    }
  }
}

Result<void> SetUpRoot(const RootOptions& options) {
  const std::string& root = options.root;
  if (auto r = Mount("proc", Join(root, "/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc");
      !r) {
    return r;
  }
  if (auto r = BindReadOnly("/sys", Join(root, "/sys")); !r) return r;
  for (const char* device : kBoundDevices) {
    std::string host = std::string("/dev/") + device;
    std::string target = Join(root, host);
    if (!Exists(host) || IsSymlink(target)) continue;
    if (auto r = Mount(host.c_str(), target, nullptr, MS_BIND, host.c_str()); !r) return r;
  }
  // Terminals: a devpts instance of the step's own, and its ptmx (apt runs
  // dpkg on a pseudo-terminal).
  if (mount("devpts", Join(root, "/dev/pts").c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") != 0) {
    return ErrnoError("mount devpts on " + Join(root, "/dev/pts"));
  }
  std::string ptmx = Join(root, "/dev/ptmx");
  if (!IsSymlink(ptmx)) {
    if (auto r = Mount(Join(root, "/dev/pts/ptmx").c_str(), ptmx, nullptr, MS_BIND, "ptmx"); !r) {
      return r;
    }
  }
  std::string resolv = Join(root, "/etc/resolv.conf");
  if (Exists("/etc/resolv.conf") && Exists(resolv) && !IsSymlink(resolv)) {
    if (auto r = BindReadOnly("/etc/resolv.conf", resolv); !r) return r;
  }
  if (auto r = Mount("tmpfs", Join(root, "/tmp"), "tmpfs", MS_NOSUID | MS_NODEV, "tmpfs"); !r) {
    return r;
  }
  if (chmod(Join(root, "/tmp").c_str(), 01777) != 0) return ErrnoError("chmod " + root + "/tmp");
  for (const auto& [source, inside] : options.binds) {
    std::string target = Join(root, inside);
    if (auto r = Mount(source.c_str(), target, nullptr, MS_BIND | MS_REC, source.c_str()); !r) {
      return r;
    }
  }
  if (chroot(root.c_str()) != 0) return ErrnoError("chroot " + root);
  if (chdir("/") != 0) return ErrnoError("chdir / in " + root);
  return {};
}

}  // namespace fauxroot
