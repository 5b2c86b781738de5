// open/openat/openat2/creat with O_CREAT, mkdir(at), symlink(at), and mknod of
// FIFOs, sockets and regular files: entries made by a task whose fake fsuid or
// fsgid is not 0, or in a set-group-ID directory with a fake group.
//
// When nothing needs recording -- the common case, root making files in an
// ordinary directory -- the kernel runs the call (CONTINUE). Otherwise the
// supervisor makes the entry itself in the task's view, with the task's umask,
// records its owner, and answers; a created file is handed to the task with
// SECCOMP_IOCTL_NOTIF_ADDFD, so the task gets an fd as from its own open.
// Whenever the name already exists, or anything is unusual (O_TMPFILE,
// O_DIRECTORY, openat2 resolve flags), the kernel runs the call, so every error
// is the kernel's own.
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "supervisor/handlers/handler.h"

namespace fauxroot {
namespace {

enum class Kind { kFile, kDirectory, kSymlink, kNode };

struct Request {
  Kind kind;
  int dirfd = AT_FDCWD;
  uint64_t path = 0;
  mode_t mode = 0;
  int open_flags = 0;
  uint64_t link_target = 0;
};

Response Create(HandlerContext& ctx, const struct seccomp_notif& n, const Request& req) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  // The common case, decided without looking at the file system: root creating
  // where no directory has a fake group has nothing to record.
  const Credentials& creds = ctx.tasks->Get(tid);
  if (creds.fsuid == 0 && creds.fsgid == 0 && !ctx.metadata->fake_group_dirs()) {
    return Response::Continue();
  }
  PathBuffer path;
  if (!ReadTargetPath(tid, req.path, &path)) return Response::Continue();
  auto parent = ctx.resolver->ResolveParent(tid, req.dirfd, path.view());
  if (!parent || (parent->trailing_slash && req.kind != Kind::kDirectory)) {
    return Response::Continue();
  }
  auto owner = OwnerOfNewEntry(ctx, tid, parent->dir.get());
  if (!owner || !owner->has_value()) return Response::Continue();
  std::string name(parent->name);
  struct stat existing;
  if (fstatat(parent->dir.get(), name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
    return Response::Continue();
  }
  PathBuffer target;
  if (req.kind == Kind::kSymlink) {
    if (auto read = ReadTargetPath(tid, req.link_target, &target); !read) {
      return Response::Errno(read.error());
    }
  }
  auto umask_value = TaskUmask(ctx, tid);
  if (!umask_value) return Response::Continue();
  const mode_t mode = req.mode & 07777 & ~*umask_value;

  if (!ctx.channel->IdValid(n.id)) return Response::None();

  UniqueFd file;
  int rc = 0;
  switch (req.kind) {
    case Kind::kFile:
      // O_EXCL: only a file this call creates gets the fake owner.
      file.reset(openat(parent->dir.get(), name.c_str(),
                        (req.open_flags & ~O_CLOEXEC) | O_CREAT | O_EXCL | O_CLOEXEC, mode));
      rc = file ? 0 : -1;
      break;
    case Kind::kDirectory:
      rc = mkdirat(parent->dir.get(), name.c_str(), mode);
      break;
    case Kind::kSymlink:
      rc = symlinkat(target.c_str(), parent->dir.get(), name.c_str());
      break;
    case Kind::kNode:
      rc = mknodat(parent->dir.get(), name.c_str(), (req.mode & S_IFMT) | mode, 0);
      break;
  }
  if (rc != 0) return Response::Errno(errno);

  UniqueFd made(openat(parent->dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!made || fstat(made.get(), &st) != 0) return Response::Errno(EIO);
  InodeRecord record;
  record.uid = (*owner)->uid;
  record.gid = (*owner)->gid;
  if (auto stored = ctx.metadata->Store(made.get(), st, record); !stored) {
    unlinkat(parent->dir.get(), name.c_str(), req.kind == Kind::kDirectory ? AT_REMOVEDIR : 0);
    return Response::Errno(stored.error());
  }
  if (req.kind != Kind::kFile) return Response::Return(0);
  auto sent = ctx.channel->SendFd(n.id, file.get(), (req.open_flags & O_CLOEXEC) != 0);
  if (sent && *sent == SendStatus::kOk) return Response::Sent();
  // The task will never see this file: take it back. When the task is still
  // there (a full fd table: EMFILE), it gets the error, as from the kernel,
  // which fails such an open before it creates anything.
  unlinkat(parent->dir.get(), name.c_str(), 0);
  if (!sent) return Response::Errno(sent.error().errno_value() ? sent.error().errno_value() : EIO);
  return Response::None();
}

}  // namespace

Response HandleCreate(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  Request req{Kind::kFile};
  switch (which) {
    case Handler::kOpen:
      req.path = n.data.args[0];
      req.open_flags = ArgInt(n, 1);
      req.mode = static_cast<mode_t>(ArgU32(n, 2));
      break;
    case Handler::kOpenat:
      req.dirfd = ArgInt(n, 0);
      req.path = n.data.args[1];
      req.open_flags = ArgInt(n, 2);
      req.mode = static_cast<mode_t>(ArgU32(n, 3));
      break;
    case Handler::kOpenat2: {
      struct open_how how {};
      if (n.data.args[3] < sizeof how) return Response::Continue();
      if (!ReadTargetMemory(static_cast<pid_t>(n.pid), n.data.args[2], &how, sizeof how)) {
        return Response::Continue();
      }
      if (how.resolve != 0 || how.flags > INT32_MAX) return Response::Continue();
      req.dirfd = ArgInt(n, 0);
      req.path = n.data.args[1];
      req.open_flags = static_cast<int>(how.flags);
      req.mode = static_cast<mode_t>(how.mode);
      break;
    }
    case Handler::kCreat:
      req.path = n.data.args[0];
      req.open_flags = O_CREAT | O_WRONLY | O_TRUNC;
      req.mode = static_cast<mode_t>(ArgU32(n, 1));
      break;
    case Handler::kMkdir:
    case Handler::kMkdirat: {
      const bool at = which == Handler::kMkdirat;
      req.kind = Kind::kDirectory;
      req.dirfd = at ? ArgInt(n, 0) : AT_FDCWD;
      req.path = n.data.args[at ? 1 : 0];
      req.mode = static_cast<mode_t>(ArgU32(n, at ? 2 : 1));
      break;
    }
    case Handler::kSymlink:
      req.kind = Kind::kSymlink;
      req.link_target = n.data.args[0];
      req.path = n.data.args[1];
      req.mode = 0777;
      break;
    case Handler::kSymlinkat:
      req.kind = Kind::kSymlink;
      req.link_target = n.data.args[0];
      req.dirfd = ArgInt(n, 1);
      req.path = n.data.args[2];
      req.mode = 0777;
      break;
    default:
      return Response::Continue();
  }
  if (req.kind == Kind::kFile) {
    // Not a plain creation: leave it to the kernel.
    if (!(req.open_flags & O_CREAT) || (req.open_flags & (O_DIRECTORY | O_PATH)) ||
        (req.open_flags & O_TMPFILE) == O_TMPFILE) {
      return Response::Continue();
    }
  }
  return Create(ctx, n, req);
}

Response HandleCreateNode(HandlerContext& ctx, const struct seccomp_notif& n, int dirfd,
                          uint64_t path, mode_t mode) {
  Request req{Kind::kNode};
  req.dirfd = dirfd;
  req.path = path;
  req.mode = mode;
  return Create(ctx, n, req);
}

}  // namespace fauxroot
