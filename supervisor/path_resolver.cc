#include "supervisor/path_resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "supervisor/proc_status.h"

namespace fauxroot {
namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's MAXSYMLINKS
constexpr uint64_t kProcRootIno = 1;

// Copies `path` into a NUL-terminated buffer; the caller checked its length.
struct CPath {
  explicit CPath(std::string_view path) {
    size_t n = path.size() < sizeof text ? path.size() : sizeof text - 1;
    memcpy(text, path.data(), n);
    text[n] = '\0';
  }
  char text[PATH_MAX];
};

Expected<UniqueFd> OpenAt2(int dirfd, std::string_view path, uint64_t flags, uint64_t resolve) {
  CPath cpath(path);
  struct open_how how {};
  how.flags = flags | O_PATH | O_CLOEXEC;
  how.resolve = resolve;
  int fd = static_cast<int>(syscall(SYS_openat2, dirfd, cpath.text, &how, sizeof how));
  if (fd < 0) return std::unexpected(errno);
  return UniqueFd(fd);
}

Expected<UniqueFd> OpenPath(int dirfd, const char* name, int flags) {
  int fd = openat(dirfd, name, flags | O_PATH | O_CLOEXEC);
  if (fd < 0) return std::unexpected(errno);
  return UniqueFd(fd);
}

Expected<UniqueFd> Dup(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return std::unexpected(errno);
  return UniqueFd(copy);
}

bool IsDirectory(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsProcFs(int fd) {
  struct statfs sfs;
  return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

bool IsProcRoot(int fd) {
  struct stat st;
  return IsProcFs(fd) && fstat(fd, &st) == 0 && st.st_ino == kProcRootIno;
}

// Pushes the components of `path` so that the first is on top of the stack.
void PushComponents(std::vector<std::string>* stack, std::string_view path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at < path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > at) parts.emplace_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  stack->insert(stack->end(), parts.rbegin(), parts.rend());
}

}  // namespace

Result<void> PathResolver::CheckSupport() {
  auto probe = OpenAt2(AT_FDCWD, "/", 0, RESOLVE_IN_ROOT);
  if (!probe && probe.error() == ENOSYS) {
    return MakeError(ENOSYS,
                     "this kernel lacks openat2(2) (Linux >= 5.6); fauxroot cannot run here");
  }
  return {};
}

Expected<UniqueFd> PathResolver::OpenTaskEntry(pid_t tid, const char* entry) const {
  char name[64];
  snprintf(name, sizeof name, "%d/%s", tid, entry);
  auto fd = OpenPath(proc_fd_, name, 0);
  if (!fd && fd.error() == ENOENT) return std::unexpected(ESRCH);  // the task is gone
  return fd;
}

Expected<int> PathResolver::TaskRoot(pid_t tid, UniqueFd* holder, bool* cached) const {
  if (handles_ != nullptr) {
    if (int fd = handles_->FindRoot(tid); fd >= 0) {
      *cached = true;
      return fd;
    }
  }
  auto opened = OpenTaskEntry(tid, "root");
  if (!opened) return std::unexpected(opened.error());
  *holder = std::move(*opened);
  if (handles_ != nullptr) handles_->InsertRoot(tid, *holder);
  return holder->get();
}

Expected<UniqueFd> PathResolver::OpenTaskFd(pid_t tid, int fd) const {
  if (fd == AT_FDCWD) return OpenTaskEntry(tid, "cwd");
  if (fd < 0) return std::unexpected(EBADF);
  if (handles_ != nullptr) {
    auto copy = handles_->DupFd(tid, fd);
    if (copy || copy.error() == EBADF || copy.error() == ESRCH) return copy;
  }
  char name[64];
  snprintf(name, sizeof name, "%d/fd/%d", tid, fd);
  // Following the magic link gives the open file itself, whatever it is (a pipe,
  // a socket, a deleted file); O_PATH never opens it, so a FIFO is safe.
  auto opened = OpenPath(proc_fd_, name, 0);
  if (!opened && opened.error() == ENOENT) return std::unexpected(EBADF);
  return opened;
}

Expected<UniqueFd> PathResolver::Resolve(pid_t tid, int dirfd, std::string_view path,
                                         unsigned flags) const {
  if (path.empty()) {
    if ((flags & kEmptyPath) == 0) return std::unexpected(ENOENT);
    return OpenTaskFd(tid, dirfd);
  }
  const bool absolute = path[0] == '/';
  UniqueFd holder;
  bool cached = false;
  Expected<int> start = std::unexpected(EBADF);
  if (absolute) {
    start = TaskRoot(tid, &holder, &cached);
  } else if (auto opened = OpenTaskFd(tid, dirfd); opened) {
    holder = std::move(*opened);
    start = holder.get();
  } else {
    start = std::unexpected(opened.error());
  }
  if (!start) return std::unexpected(start.error());
  const uint64_t open_flags = (flags & kNoFollow) ? O_NOFOLLOW : 0;
  const uint64_t scope = absolute ? RESOLVE_IN_ROOT : RESOLVE_BENEATH;

  // A cached root is never in /proc: a walk from it that stays on its mount
  // cannot have met /proc's "self".
  auto fast = OpenAt2(*start, path, open_flags, scope | (cached ? RESOLVE_NO_XDEV : 0));
  if (fast) return fast;
  int err = fast.error();
  if (cached && err == EXDEV) {
    fast = OpenAt2(*start, path, open_flags, scope);
    if (fast) return fast;
    err = fast.error();
  } else if (cached && err == ENOENT) {
    return std::unexpected(ENOENT);
  }
  if (err == ENOENT) {
    // Genuine, unless the walk went through /proc's "self" (which names the
    // supervisor, not the task): directly, through a symlink such as
    // /dev/stdin, or in a parent. It is genuine when the parent resolves and the
    // last component does not exist, even unfollowed.
    std::string_view trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
    size_t slash = trimmed.rfind('/');
    std::string_view name = slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1);
    if (name != "self" && name != "thread-self") {
      Expected<UniqueFd> parent =
          slash == std::string_view::npos
              ? Dup(*start)
              : OpenAt2(*start, trimmed.substr(0, slash == 0 ? 1 : slash), 0, scope);
      if (parent) {
        auto entry = OpenAt2(parent->get(), name, O_NOFOLLOW, RESOLVE_BENEATH);
        if (!entry && entry.error() == ENOENT) return std::unexpected(ENOENT);
      }
    }
  } else if (err != EXDEV && err != EAGAIN) {
    return std::unexpected(err);
  }

  // The slow path: walk it like the kernel does.
  UniqueFd root_holder;
  bool root_cached = false;
  auto root = absolute ? Expected<int>(*start) : TaskRoot(tid, &root_holder, &root_cached);
  if (!root) return std::unexpected(root.error());
  return Walk(tid, *root, *start, path, (flags & kNoFollow) == 0);
}

Expected<UniqueFd> PathResolver::OpenProcSelf(pid_t tid, int proc_root, bool thread) const {
  // "self" read by the supervisor names the supervisor (or nothing, in a pid
  // namespace it is not in); the task means itself. Use the task's ids in the
  // innermost pid namespace, the one of the /proc it sees.
  auto status = ProcStatus::Read(proc_fd_, tid);
  if (!status) return std::unexpected(status.error());
  auto tgid = status->Field("NStgid", 10, /*innermost=*/true);
  auto pid = status->Field("NSpid", 10, /*innermost=*/true);
  if (!tgid || !pid || *tgid <= 0 || *pid <= 0) return std::unexpected(ESRCH);
  char name[64];
  if (thread) {
    snprintf(name, sizeof name, "%ld/task/%ld", *tgid, *pid);
  } else {
    snprintf(name, sizeof name, "%ld", *tgid);
  }
  return OpenPath(proc_root, name, O_DIRECTORY);
}

Expected<UniqueFd> PathResolver::Walk(pid_t tid, int root, int start, std::string_view path,
                                      bool follow_final) const {
  struct stat root_st;
  if (fstat(root, &root_st) != 0) return std::unexpected(errno);
  auto cur = Dup(path[0] == '/' ? root : start);
  if (!cur) return cur;
  const bool must_be_dir = path.back() == '/';
  std::vector<std::string> stack;
  PushComponents(&stack, path);
  int links = 0;

  while (!stack.empty()) {
    std::string comp = std::move(stack.back());
    stack.pop_back();
    const bool last = stack.empty();
    if (comp == "." || comp == "..") {
      if (!IsDirectory(cur->get())) return std::unexpected(ENOTDIR);
      if (comp == ".") continue;
      struct stat st;
      if (fstat(cur->get(), &st) != 0) return std::unexpected(errno);
      if (st.st_dev == root_st.st_dev && st.st_ino == root_st.st_ino) continue;  // ".." of root
      auto parent = OpenPath(cur->get(), "..", O_DIRECTORY);
      if (!parent) return parent;
      cur = std::move(parent);
      continue;
    }
    const bool follow = !last || follow_final || must_be_dir;
    if (follow && (comp == "self" || comp == "thread-self") && IsProcRoot(cur->get())) {
      auto self = OpenProcSelf(tid, cur->get(), comp == "thread-self");
      if (!self) return self;
      cur = std::move(self);
      continue;
    }
    auto next = OpenPath(cur->get(), comp.c_str(), O_NOFOLLOW);
    if (!next) return next;
    struct stat st;
    if (fstat(next->get(), &st) != 0) return std::unexpected(errno);
    if (S_ISLNK(st.st_mode) && follow) {
      if (++links > kMaxSymlinks) return std::unexpected(ELOOP);
      char text[PATH_MAX];
      ssize_t len = readlinkat(next->get(), "", text, sizeof text - 1);
      if (len < 0) return std::unexpected(errno);
      std::string_view target(text, static_cast<size_t>(len));
      if (IsProcFs(next->get()) && !target.starts_with("self") &&
          !target.starts_with("thread-self")) {
        // A magic link (/proc/PID/fd/N, cwd, root, exe): its text is only a
        // description; let the kernel jump to the object it stands for.
        auto jumped = OpenPath(cur->get(), comp.c_str(), 0);
        if (!jumped) return jumped;
        if (!last && !IsDirectory(jumped->get())) return std::unexpected(ENOTDIR);
        cur = std::move(jumped);
        continue;
      }
      if (target.empty()) return std::unexpected(ENOENT);
      if (target[0] == '/') {
        auto restart = Dup(root);
        if (!restart) return restart;
        cur = std::move(restart);
      }
      PushComponents(&stack, target);
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) return std::unexpected(ENOTDIR);
    cur = std::move(next);
  }
  if (must_be_dir && !IsDirectory(cur->get())) return std::unexpected(ENOTDIR);
  return cur;
}

Expected<PathResolver::Parent> PathResolver::ResolveParent(pid_t tid, int dirfd,
                                                           std::string_view path) const {
  if (path.empty()) return std::unexpected(ENOENT);
  Parent parent;
  std::string_view trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  parent.trailing_slash = trimmed.size() != path.size();
  size_t slash = trimmed.rfind('/');
  parent.name = slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1);
  if (parent.name.empty() || parent.name == "." || parent.name == "..") {
    return std::unexpected(EEXIST);
  }
  Expected<UniqueFd> dir = slash == std::string_view::npos
                               ? OpenTaskFd(tid, dirfd)
                               : Resolve(tid, dirfd, trimmed.substr(0, slash == 0 ? 1 : slash), 0);
  if (!dir) return std::unexpected(dir.error());
  if (!IsDirectory(dir->get())) return std::unexpected(ENOTDIR);
  parent.dir = std::move(*dir);
  return parent;
}

}  // namespace fauxroot
