#include "shim/user_namespace.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "common/unique_fd.h"

namespace fauxroot {
namespace {

Result<void> WriteFile(const char* path, const std::string& text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(std::string("open ") + path);
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return ErrnoError(std::string("write '") + text.substr(0, text.size() - 1) + "' to " + path);
  }
  return {};
}

std::string ReadKnob(const char* path) {
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  char text[32] = {};
  ssize_t n = read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return "";
  std::string value(text, static_cast<size_t>(n));
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

}  // namespace

Result<IdentityMap> EnterUserNamespace() {
  IdentityMap map{geteuid(), getegid()};
  if (unshare(CLONE_NEWUSER) != 0) {
    int err = errno;
    std::string why = "cannot create a user namespace";
    if (ReadKnob("/proc/sys/kernel/unprivileged_userns_clone") == "0") {
      why += " (unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone = 0)";
    } else if (ReadKnob("/proc/sys/user/max_user_namespaces") == "0") {
      why += " (user namespaces are disabled: user.max_user_namespaces = 0)";
    } else if (ReadKnob("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1") {
      why +=
          " (AppArmor restricts unprivileged user namespaces: "
          "kernel.apparmor_restrict_unprivileged_userns = 1)";
    } else if (err == EINVAL) {
      why += " (the kernel lacks CONFIG_USER_NS, or this process is multi-threaded)";
    }
    return MakeError(err, why);
  }
  // An unprivileged process may map only its own ids, and must give up
  // setgroups(2) before it may write a gid map.
  if (auto r = WriteFile("/proc/self/setgroups", "deny\n"); !r) return std::unexpected(r.error());
  if (auto r = WriteFile("/proc/self/uid_map", "0 " + std::to_string(map.outer_uid) + " 1\n"); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = WriteFile("/proc/self/gid_map", "0 " + std::to_string(map.outer_gid) + " 1\n"); !r) {
    return std::unexpected(r.error());
  }
  return map;
}

}  // namespace fauxroot
