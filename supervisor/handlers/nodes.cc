// mknod, mknodat.
//
// Character and block devices cannot be made without privilege. Like real root
// the call creates the name (O_EXCL: EEXIST if anything, even a dangling
// symlink, is there) with the task's umask applied; what it creates is an empty
// regular file, the placeholder, whose record carries the device type and
// number that stat reports and the exporter writes. FIFOs, sockets and regular
// files need no privilege: the kernel makes them, unless a fake owner must be
// recorded (create.cc).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "supervisor/handlers/handler.h"

namespace fauxroot {

Response HandleMknod(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  const bool at = which == Handler::kMknodat;
  const int dirfd = at ? ArgInt(n, 0) : AT_FDCWD;
  const uint64_t path_arg = n.data.args[at ? 1 : 0];
  const mode_t mode = static_cast<mode_t>(ArgU32(n, at ? 2 : 1));
  const uint32_t dev = ArgU32(n, at ? 3 : 2);
  const mode_t type = mode & S_IFMT;
  if (type == S_IFIFO || type == S_IFSOCK || type == S_IFREG || type == 0) {
    return HandleCreateNode(ctx, n, dirfd, path_arg, type == 0 ? (mode | S_IFREG) : mode);
  }
  if (!S_ISCHR(mode) && !S_ISBLK(mode)) return Response::Continue();  // EINVAL from the kernel
  // Devices need CAP_MKNOD, which a task with a fake non-root fsuid has lost.
  if (!ctx.tasks->Get(tid).Capable(kCapMknod)) return Response::Errno(EPERM);

  PathBuffer path;
  if (auto read = ReadTargetPath(tid, path_arg, &path); !read) return Response::Errno(read.error());
  auto parent = ctx.resolver->ResolveParent(tid, dirfd, path.view());
  if (!parent) return Response::Errno(parent.error());
  if (parent->trailing_slash) {
    // "name/" asks for a directory: EEXIST if the name exists, else ENOENT.
    struct stat st;
    std::string name(parent->name);
    bool exists = fstatat(parent->dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    return Response::Errno(exists ? EEXIST : ENOENT);
  }
  auto umask_value = TaskUmask(ctx, tid);
  if (!umask_value) return Response::Errno(umask_value.error());

  if (!ctx.channel->IdValid(n.id)) return Response::None();

  std::string name(parent->name);
  // The supervisor runs with umask 0 (see cli/run_command.cc); the task's is applied here.
  UniqueFd file(openat(parent->dir.get(), name.c_str(),
                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                       (mode & 07777) & ~*umask_value));
  if (!file) return Response::Errno(errno);
  struct stat st;
  if (fstat(file.get(), &st) != 0) return Response::Errno(errno);
  InodeRecord record;
  if (auto owner = OwnerOfNewEntry(ctx, tid, parent->dir.get()); owner && owner->has_value()) {
    record.uid = (*owner)->uid;
    record.gid = (*owner)->gid;
  }
  record.type = mode & S_IFMT;
  // The syscall's dev argument is the kernel's 32-bit encoding.
  record.rdev = makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
  if (auto stored = ctx.metadata->Store(file.get(), st, record); !stored) {
    // Leave nothing behind that the target was told does not exist.
    unlinkat(parent->dir.get(), name.c_str(), 0);
    return Response::Errno(stored.error());
  }
  return Response::Return(0);
}

}  // namespace fauxroot
