// chown, lchown, fchown, fchownat.
//
// Emulated as root: any file the task can reach may be given any owner. The
// owner goes to the store; the file's real owner stays the invoking user. Like
// the kernel's chown_common(), a chown of a non-directory clears S_ISUID, and
// S_ISGID when group-execute is set (without it the bit marks mandatory locking
// and stays for a privileged caller) -- even when the ids do not change.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "supervisor/handlers/handler.h"

namespace fauxroot {
namespace {

constexpr uint32_t kKeepId = static_cast<uint32_t>(-1);

// Clears the set-id bits of the inode open as `fd` as a chown does.
Expected<void> ClearSetIdBits(int fd, const struct stat& st, uint32_t fake_type) {
  uint32_t type = fake_type != 0 ? fake_type : (st.st_mode & S_IFMT);
  if (S_ISDIR(type) || S_ISLNK(st.st_mode)) return {};
  mode_t mode = st.st_mode & 07777;
  mode_t cleared = mode & ~S_ISUID;
  if ((mode & S_ISGID) && (mode & S_IXGRP)) cleared &= ~S_ISGID;
  if (cleared == mode) return {};
  // fchmod refuses O_PATH fds; the /proc/self/fd link reaches the same inode.
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  if (fchmodat(AT_FDCWD, link, cleared, 0) != 0) return std::unexpected(errno);
  return {};
}

}  // namespace

Response HandleChown(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  Expected<UniqueFd> file = std::unexpected(EINVAL);
  uint32_t uid = 0, gid = 0;
  switch (which) {
    case Handler::kChown:
    case Handler::kLchown:
      file = ResolvePathArg(ctx, n, AT_FDCWD, n.data.args[0],
                            which == Handler::kLchown ? PathResolver::kNoFollow : 0);
      uid = ArgU32(n, 1);
      gid = ArgU32(n, 2);
      break;
    case Handler::kFchown: {
      int fd = ArgInt(n, 0);
      file = fd < 0 ? std::unexpected(EBADF) : ctx.resolver->OpenTaskFd(tid, fd);
      uid = ArgU32(n, 1);
      gid = ArgU32(n, 2);
      break;
    }
    case Handler::kFchownat: {
      int flags = ArgInt(n, 4);
      if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Response::Errno(EINVAL);
      unsigned resolve = ((flags & AT_SYMLINK_NOFOLLOW) ? PathResolver::kNoFollow : 0) |
                         ((flags & AT_EMPTY_PATH) ? PathResolver::kEmptyPath : 0);
      file = ResolvePathArg(ctx, n, ArgInt(n, 0), n.data.args[1], resolve);
      uid = ArgU32(n, 2);
      gid = ArgU32(n, 3);
      break;
    }
    default:
      return Response::Errno(ENOSYS);
  }
  if (!file) return Response::Errno(file.error());

  struct stat st;
  if (fstat(file->get(), &st) != 0) return Response::Errno(errno);
  struct statvfs vfs;
  if (fstatvfs(file->get(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) return Response::Errno(EROFS);
  auto existing = ctx.metadata->Lookup(file->get(), st);
  if (!existing) return Response::Errno(existing.error());

  // Everything above only read; from here on we act.
  if (!ctx.channel->IdValid(n.id)) return Response::None();

  InodeRecord record = existing->value_or(InodeRecord{});
  if (uid != kKeepId) record.uid = uid;
  if (gid != kKeepId) record.gid = gid;
  if (auto cleared = ClearSetIdBits(file->get(), st, record.type); !cleared) {
    return Response::Errno(cleared.error());
  }
  if (auto stored = ctx.metadata->Store(file->get(), st, record); !stored) {
    return Response::Errno(stored.error());
  }
  return Response::Return(0);
}

}  // namespace fauxroot
