#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/handlers/handler.h"
#include "supervisor/proc_status.h"

namespace fauxroot {

Response Dispatch(Handler handler, HandlerContext& ctx, const struct seccomp_notif& notif) {
  switch (handler) {
    case Handler::kChown:
    case Handler::kLchown:
    case Handler::kFchown:
    case Handler::kFchownat:
      return HandleChown(ctx, notif, handler);
    case Handler::kMknod:
    case Handler::kMknodat:
      return HandleMknod(ctx, notif, handler);
    case Handler::kStat:
    case Handler::kLstat:
    case Handler::kFstat:
    case Handler::kNewfstatat:
    case Handler::kStatx:
      return HandleStat(ctx, notif, handler);
    case Handler::kGetuid:
    case Handler::kGeteuid:
    case Handler::kGetgid:
    case Handler::kGetegid:
    case Handler::kGetresuid:
    case Handler::kGetresgid:
    case Handler::kGetgroups:
    case Handler::kSetuid:
    case Handler::kSetgid:
    case Handler::kSetreuid:
    case Handler::kSetregid:
    case Handler::kSetresuid:
    case Handler::kSetresgid:
    case Handler::kSetfsuid:
    case Handler::kSetfsgid:
    case Handler::kSetgroups:
    case Handler::kCapget:
    case Handler::kCapset:
    case Handler::kPrctl:
      return HandleCredentials(ctx, notif, handler);
    case Handler::kExecve:
    case Handler::kExecveat:
      return HandleExec(ctx, notif, handler);
    case Handler::kOpen:
    case Handler::kOpenat:
    case Handler::kOpenat2:
    case Handler::kCreat:
    case Handler::kMkdir:
    case Handler::kMkdirat:
    case Handler::kSymlink:
    case Handler::kSymlinkat:
      return HandleCreate(ctx, notif, handler);
    case Handler::kChmod:
    case Handler::kFchmod:
    case Handler::kFchmodat:
    case Handler::kFchmodat2:
      return HandleChmod(ctx, notif, handler);
    case Handler::kSetxattr:
    case Handler::kLsetxattr:
    case Handler::kFsetxattr:
    case Handler::kGetxattr:
    case Handler::kLgetxattr:
    case Handler::kFgetxattr:
    case Handler::kListxattr:
    case Handler::kLlistxattr:
    case Handler::kFlistxattr:
    case Handler::kRemovexattr:
    case Handler::kLremovexattr:
    case Handler::kFremovexattr:
    case Handler::kSetxattrat:
    case Handler::kGetxattrat:
    case Handler::kListxattrat:
    case Handler::kRemovexattrat:
      return HandleXattr(ctx, notif, handler);
    case Handler::kMount:
      return HandleMount(ctx, notif);
    case Handler::kRootChange:
      if (ctx.handles != nullptr) ctx.handles->RootsMayChange(static_cast<pid_t>(notif.pid));
      return Response::Continue();
    case Handler::kNone:
      break;
  }
  return Response::Continue();
}

Expected<mode_t> TaskUmask(const HandlerContext& ctx, pid_t tid) {
  auto status = ProcStatus::Read(ctx.resolver->proc_fd(), tid);
  if (!status) return std::unexpected(status.error());
  auto umask_value = status->Field("Umask", 8);
  if (!umask_value) return std::unexpected(ESRCH);
  return static_cast<mode_t>(*umask_value);
}

Expected<pid_t> TaskNamespacePid(const HandlerContext& ctx, pid_t tid) {
  auto status = ProcStatus::Read(ctx.resolver->proc_fd(), tid);
  if (!status) return std::unexpected(status.error());
  auto pid = status->Field("NStgid", 10, /*innermost=*/true);
  if (!pid) return std::unexpected(ESRCH);
  return static_cast<pid_t>(*pid);
}

Expected<std::optional<Owner>> OwnerOfNewEntry(HandlerContext& ctx, pid_t tid, int parent_dir) {
  const Credentials& creds = ctx.tasks->Get(tid);
  Owner owner{creds.fsuid, creds.fsgid};
  struct stat dir;
  if (fstat(parent_dir, &dir) != 0) return std::unexpected(errno);
  if ((dir.st_mode & S_ISGID) && ctx.metadata->fake_group_dirs()) {
    // A set-group-ID directory gives new entries its own group: the fake one.
    auto record = ctx.metadata->Lookup(parent_dir, dir);
    if (!record) return std::unexpected(record.error());
    owner.gid = record->has_value() ? (*record)->gid : 0;
  }
  if (owner.uid == 0 && owner.gid == 0) return std::nullopt;
  return owner;
}

Expected<UniqueFd> ResolvePathArg(HandlerContext& ctx, const struct seccomp_notif& notif, int dirfd,
                                  uint64_t address, unsigned resolve_flags, bool allow_null_empty) {
  PathBuffer path;
  if (address != 0 || !allow_null_empty || !(resolve_flags & PathResolver::kEmptyPath)) {
    auto read = ReadTargetPath(static_cast<pid_t>(notif.pid), address, &path);
    if (!read) return std::unexpected(read.error());
  }
  return ctx.resolver->Resolve(static_cast<pid_t>(notif.pid), dirfd, path.view(), resolve_flags);
}

}  // namespace fauxroot
