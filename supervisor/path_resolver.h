// PathResolver: finds the object a path names for a target task, exactly as the
// kernel would resolve it for that task, and returns it as an O_PATH fd.
//
// The task's view is reached through the supervisor's /proc: its root
// (/proc/TID/root), its cwd (/proc/TID/cwd) and its fds (/proc/TID/fd/N); these
// lead into the task's mount namespace. With TaskHandles the root stays open
// between calls and an fd is a duplicate of the task's own (pidfd_getfd). Nothing
// is ever opened for reading or writing, so a FIFO is never opened and no device
// is touched.
//
// Fast path: one openat2(2). Absolute paths resolve with RESOLVE_IN_ROOT under
// the task's root (".." and absolute symlinks stay inside it, as after chroot),
// kept open between calls by TaskHandles, first with RESOLVE_NO_XDEV: a walk
// that crosses no mount never reached /proc, so its ENOENT is the answer;
// relative paths with RESOLVE_BENEATH from the cwd or dirfd, which fails with
// EXDEV whenever the walk would leave the start directory (".." above it, an
// absolute symlink, a /proc magic link). Those cases, and ENOENT that could come
// from "/proc/self" (which names the supervisor, not the task, when the
// supervisor resolves it), take the slow path: a component-by-component walk that
// treats /proc/self and /proc/thread-self as the task's own and lets the kernel
// follow magic links.
//
// The supervisor shares the task's user namespace (see shim/user_namespace.h),
// so permission checks during the walk are the task's own.
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"
#include "supervisor/target_memory.h"
#include "supervisor/task_handles.h"

namespace fauxroot {

class PathResolver {
 public:
  // Flags for Resolve.
  static constexpr unsigned kNoFollow =
      1;  // do not follow a final symlink (lstat, AT_SYMLINK_NOFOLLOW)
  static constexpr unsigned kEmptyPath = 2;  // "" names the dirfd itself (AT_EMPTY_PATH)
  // The flags for a call's AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH.
  static unsigned FromAtFlags(int at_flags) {
    return ((at_flags & AT_SYMLINK_NOFOLLOW) ? kNoFollow : 0) |
           ((at_flags & AT_EMPTY_PATH) ? kEmptyPath : 0);
  }

  // Checks that the kernel has openat2(2) (Linux 5.6), which resolution needs.
  static Result<void> CheckSupport();

  // `proc_fd`: an fd on the supervisor's /proc; borrowed, must outlive this object.
  explicit PathResolver(int proc_fd) : proc_fd_(proc_fd) {}

  // The object named by (dirfd, path) for task `tid`. `dirfd` is the raw argument
  // (AT_FDCWD or an fd number in the task). Errors are the errno the kernel would
  // give the task: ENOENT, ENOTDIR, ELOOP, EACCES, EBADF, ...
  Expected<UniqueFd> Resolve(pid_t tid, int dirfd, std::string_view path, unsigned flags) const;

  // Keeps tasks' roots and pidfds open in `handles` (borrowed; may be null)
  // between calls.
  void set_task_handles(TaskHandles* handles) { handles_ = handles; }

  // The supervisor's /proc, for readers of other /proc entries of a task.
  int proc_fd() const { return proc_fd_; }

  // An fd of task `tid` (AT_FDCWD: its cwd): an O_PATH fd, or with TaskHandles a
  // duplicate sharing the task's open file description (never read, seek or
  // change its flags); EBADF if not open.
  Expected<UniqueFd> OpenTaskFd(pid_t tid, int fd) const;

  // For calls that create `path`: the directory that will hold the new entry and
  // the entry's name (a view into `path`). EEXIST when the last component is "."
  // or "..", as the kernel says for creation.
  struct Parent {
    UniqueFd dir;
    std::string_view name;
    bool trailing_slash = false;  // "name/": creating a non-directory fails
  };
  Expected<Parent> ResolveParent(pid_t tid, int dirfd, std::string_view path) const;

 private:
  Expected<UniqueFd> OpenTaskEntry(pid_t tid, const char* entry) const;
  // The task's root: from the cache (borrowed, `*cached` set) or opened into `*holder`.
  Expected<int> TaskRoot(pid_t tid, UniqueFd* holder, bool* cached) const;
  Expected<UniqueFd> Walk(pid_t tid, int root, int start, std::string_view path,
                          bool follow_final) const;
  Expected<UniqueFd> OpenProcSelf(pid_t tid, int proc_root, bool thread) const;

  int proc_fd_;
  TaskHandles* handles_ = nullptr;
};

}  // namespace fauxroot
