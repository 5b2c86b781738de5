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

#include "common/fd_path.h"
#include "supervisor/handlers/handler.h"
#include "supervisor/posix_acl.h"

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
  FdPath link(fd);
  if (fchmodat(AT_FDCWD, link.c_str(), cleared, 0) != 0) return std::unexpected(errno);
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
      file = ResolvePathArg(ctx, n, ArgInt(n, 0), n.data.args[1], PathResolver::FromAtFlags(flags));
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
  // A task that is not (fake) root may only give away a group it is in, on a
  // file it owns; the kernel's chown_ok and chgrp_ok.
  const Credentials& creds = ctx.tasks->Get(tid);
  if (!creds.Capable(kCapChown)) {
    const bool owner = creds.fsuid == record.uid;
    if (uid != kKeepId && !(owner && uid == record.uid)) return Response::Errno(EPERM);
    if (gid != kKeepId && !(owner && (gid == record.gid || creds.InGroup(gid)))) {
      return Response::Errno(EPERM);
    }
  }
  if (uid != kKeepId) record.uid = uid;
  if (gid != kKeepId) record.gid = gid;
  // ATTR_KILL_PRIV: a chown drops a non-directory's file capabilities.
  const uint32_t type = record.type != 0 ? record.type : (st.st_mode & S_IFMT);
  if (!S_ISDIR(type)) record.RemoveXattr("security.capability");
  if (auto cleared = ClearSetIdBits(file->get(), st, record.type); !cleared) {
    return Response::Errno(cleared.error());
  }
  if (auto stored = ctx.metadata->Store(file->get(), st, record); !stored) {
    return Response::Errno(stored.error());
  }
  return Response::Return(0);
}

}  // namespace fauxroot

namespace fauxroot {

// chmod, fchmod, fchmodat, fchmodat2. Root's are the kernel's (the files are
// the invoking user's), except that a POSIX ACL kept in the db follows the new
// mode as the kernel's posix_acl_chmod would. A task with a fake non-root fsuid
// may only change the mode of a file it owns, and loses S_ISGID when it is not
// in the file's group.
Response HandleChmod(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  const Credentials& creds = ctx.tasks->Get(tid);
  const bool privileged = creds.Capable(kCapFowner) && creds.Capable(kCapFsetid);
  // Root's chmod is the kernel's own unless an access ACL must follow the mode.
  if (privileged && !ctx.metadata->access_acls()) return Response::Continue();

  Expected<UniqueFd> file = std::unexpected(EINVAL);
  mode_t mode = 0;
  switch (which) {
    case Handler::kChmod:
      file = ResolvePathArg(ctx, n, AT_FDCWD, n.data.args[0], 0);
      mode = static_cast<mode_t>(ArgU32(n, 1));
      break;
    case Handler::kFchmod: {
      int fd = ArgInt(n, 0);
      file = fd < 0 ? std::unexpected(EBADF) : ctx.resolver->OpenTaskFd(tid, fd);
      mode = static_cast<mode_t>(ArgU32(n, 1));
      break;
    }
    case Handler::kFchmodat:
    case Handler::kFchmodat2: {
      int flags = which == Handler::kFchmodat2 ? ArgInt(n, 3) : 0;
      if (flags != 0) return Response::Continue();  // the kernel's own checks
      file = ResolvePathArg(ctx, n, ArgInt(n, 0), n.data.args[1], 0);
      mode = static_cast<mode_t>(ArgU32(n, 2));
      break;
    }
    default:
      return Response::Continue();
  }
  if (!file) return Response::Continue();  // the kernel gives the same error
  struct stat st;
  if (fstat(file->get(), &st) != 0 || S_ISLNK(st.st_mode)) return Response::Continue();
  auto record = ctx.metadata->Lookup(file->get(), st);
  if (!record) return Response::Errno(record.error());
  InodeRecord current = record->value_or(InodeRecord{});
  const Xattr* acl = current.FindXattr(kAclAccess);
  if (privileged && acl == nullptr) return Response::Continue();
  if (creds.fsuid != current.uid && !creds.Capable(kCapFowner)) return Response::Errno(EPERM);
  mode &= 07777;
  if (!creds.InGroup(current.gid) && !creds.Capable(kCapFsetid)) mode &= ~S_ISGID;
  if (!ctx.channel->IdValid(n.id)) return Response::None();
  FdPath link(file->get());
  if (fchmodat(AT_FDCWD, link.c_str(), mode, 0) != 0) return Response::Errno(errno);
  if (acl != nullptr) {
    if (auto entries = ParseAcl(acl->value)) {
      ChmodAcl(*entries, mode);
      current.SetXattr(kAclAccess, FormatAcl(*entries));
      if (auto stored = ctx.metadata->Store(file->get(), st, current); !stored) {
        return Response::Errno(stored.error());
      }
    }
  }
  return Response::Return(0);
}

}  // namespace fauxroot
