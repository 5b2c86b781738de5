// `--root DIR`: the build step's own root directory.
//
// The step's init sets it up in the step's private mount namespace: a /proc of
// the step's pid namespace, the host's /sys read-only, the host's null, zero,
// full, random, urandom and tty devices bound over DIR/dev/*, a devpts of its
// own on /dev/pts with its ptmx on /dev/ptmx, the host's
// /etc/resolv.conf, a fresh tmpfs on /tmp, the user's --bind mounts; then it
// chroots into DIR. Nothing is mounted outside the step's namespace, so
// nothing needs unmounting afterwards.
//
// A bind mount needs an existing mount point. Missing ones (an empty /dev in a
// freshly imported root, say) are created by the supervisor before the step
// starts and removed after it ends (RootMountpoints), so that they do not end
// up in the image. Device placeholders the rootfs already has stay untouched
// underneath the bind mounts and stay recorded for export.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace fauxroot {

struct RootOptions {
  std::string root;                                        // empty: no --root
  std::vector<std::pair<std::string, std::string>> binds;  // SRC, DST inside the root
};

// The host devices bound into DIR/dev.
inline constexpr const char* kBoundDevices[] = {"null", "zero", "full", "random", "urandom", "tty"};

// Creates the mount points the setup needs and the root lacks; removes what it
// created when destroyed.
class RootMountpoints {
 public:
  static Result<RootMountpoints> Create(const RootOptions& options);
  RootMountpoints(RootMountpoints&& other) noexcept : created_(std::move(other.created_)) {
    other.created_.clear();
  }
  RootMountpoints& operator=(RootMountpoints&&) = delete;
  ~RootMountpoints();

 private:
  RootMountpoints() = default;
  std::vector<std::pair<std::string, bool>> created_;  // path, is a directory
};

// In the step's init, in its new mount namespace: mounts and chroot. Errors name
// the mount that failed.
Result<void> SetUpRoot(const RootOptions& options);

}  // namespace fauxroot
