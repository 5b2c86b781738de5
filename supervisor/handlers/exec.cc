// execve, execveat: credentials across exec.
//
// A set-user-ID or set-group-ID file runs with its (fake) owner or group as the
// effective id, and every exec copies the effective ids to the saved ones. The
// kernel then runs the call (CONTINUE). The change is applied before the exec
// happens, so an exec that fails after the checks here (a corrupt ELF, say)
// leaves the new ids in place: a documented limit.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "supervisor/handlers/handler.h"

namespace fauxroot {

Response HandleExec(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  Expected<UniqueFd> file = std::unexpected(EINVAL);
  if (which == Handler::kExecve) {
    file = ResolvePathArg(ctx, n, AT_FDCWD, n.data.args[0], 0);
  } else {
    int flags = ArgInt(n, 4);
    file = ResolvePathArg(ctx, n, ArgInt(n, 0), n.data.args[1], PathResolver::FromAtFlags(flags));
  }
  // Whatever fails here fails the same way in the kernel's own exec.
  if (!file) return Response::Continue();
  struct stat st;
  if (fstat(file->get(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
    return Response::Continue();
  }
  const bool set_id = (st.st_mode & S_ISUID) || ((st.st_mode & S_ISGID) && (st.st_mode & S_IXGRP));
  if (!set_id && ctx.tasks->Get(tid).IsDefault()) return Response::Continue();

  uid_t owner = 0;
  gid_t group = 0;
  if (set_id) {
    auto record = ctx.metadata->Lookup(file->get(), st);
    if (record && record->has_value()) {
      owner = (*record)->uid;
      group = (*record)->gid;
    }
  }
  if (!ctx.channel->IdValid(n.id)) return Response::None();
  ctx.tasks->Change(tid, [&](Credentials& c) {
    ApplyExec(c, st.st_mode, owner, group);
    return 0;
  });
  return Response::Continue();
}

}  // namespace fauxroot
