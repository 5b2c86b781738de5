// mount of a new devpts instance.
//
// The build runs in a user namespace that maps one uid and one gid, so a devpts
// mount naming another owner for new terminals (`uid=5`, `gid=5`: mmdebstrap's
// --mode=root and schroot do this) fails there with EINVAL where real root
// succeeds. The handler drops those options and makes the mount on the task's
// behalf, in its mount namespace and relative to its root and working
// directory; terminals then belong to the building user, which stat shows as
// root. Every other mount is left to the kernel: the filter traps only calls
// that make a new mount (no MS_BIND, MS_REMOUNT, MS_MOVE or propagation flag),
// and the handler continues those that are not devpts or need no change.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <string_view>

#include "supervisor/handlers/handler.h"

namespace fauxroot {
namespace {

// `options` without uid=N and gid=N for ids other than 0; nullopt if it needs no change.
std::optional<std::string> WithoutForeignOwners(std::string_view options) {
  std::string kept;
  bool dropped = false;
  while (!options.empty()) {
    size_t comma = options.find(',');
    std::string_view option = options.substr(0, comma);
    options = comma == std::string_view::npos ? std::string_view() : options.substr(comma + 1);
    if (option.starts_with("uid=") || option.starts_with("gid=")) {
      std::string_view number = option.substr(4);
      unsigned long id = 0;
      auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), id);
      if (ec == std::errc() && end == number.data() + number.size() && id != 0) {
        dropped = true;
        continue;
      }
    }
    if (!kept.empty()) kept += ',';
    kept += option;
  }
  if (!dropped) return std::nullopt;
  return kept;
}

// Runs mount(2) as task `tid` would: in a child that enters the task's mount
// namespace, root and working directory. Returns 0 or the errno of the mount,
// or -1 when the child could not enter them (a nested user namespace).
int MountAsTask(int proc_fd, pid_t tid, const char* source, const char* target, const char* fstype,
                unsigned long flags, const char* data) {
  const std::string task = std::to_string(tid);
  UniqueFd ns(openat(proc_fd, (task + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd root(openat(proc_fd, (task + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  UniqueFd cwd(openat(proc_fd, (task + "/cwd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!ns || !root || !cwd) return errno;
  pid_t child = fork();
  if (child < 0) return errno;
  if (child == 0) {
    // Only async-signal-safe calls from here: the supervisor's state is not ours.
    if (setns(ns.get(), CLONE_NEWNS) != 0 || fchdir(root.get()) != 0 || chroot(".") != 0 ||
        fchdir(cwd.get()) != 0) {
      _exit(255);
    }
    _exit(mount(source, target, fstype, flags, data) == 0 ? 0 : errno);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return errno;
  }
  if (!WIFEXITED(status)) return EIO;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

}  // namespace

Response HandleMount(HandlerContext& ctx, const struct seccomp_notif& n) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  PathBuffer fstype;
  if (n.data.args[2] == 0 || !ReadTargetPath(tid, n.data.args[2], &fstype) ||
      fstype.view() != "devpts" || n.data.args[4] == 0) {
    return Response::Continue();
  }
  // The kernel reads at most a page of options; a path buffer is one page.
  PathBuffer data;
  if (!ReadTargetPath(tid, n.data.args[4], &data)) return Response::Continue();
  std::optional<std::string> options = WithoutForeignOwners(data.view());
  if (!options) return Response::Continue();

  PathBuffer source, target;
  const bool has_source = n.data.args[0] != 0;
  if (has_source) {
    if (auto read = ReadTargetPath(tid, n.data.args[0], &source); !read) {
      return Response::Errno(read.error());
    }
  }
  if (auto read = ReadTargetPath(tid, n.data.args[1], &target); !read) {
    return Response::Errno(read.error());
  }
  if (!ctx.channel->IdValid(n.id)) return Response::None();
  int error = MountAsTask(ctx.resolver->proc_fd(), tid, has_source ? source.c_str() : nullptr,
                          target.c_str(), "devpts", static_cast<unsigned long>(n.data.args[3]),
                          options->c_str());
  // The namespace could not be entered (a nested user namespace): the kernel decides.
  if (error < 0) return Response::Continue();
  return error == 0 ? Response::Return(0) : Response::Errno(error);
}

}  // namespace fauxroot
