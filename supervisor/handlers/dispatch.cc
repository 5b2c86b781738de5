#include "supervisor/handlers/handler.h"

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
    case Handler::kNone:
      break;
  }
  return Response::Continue();
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
