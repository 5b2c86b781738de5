// stat, lstat, fstat, newfstatat, statx.
//
// The object is resolved as the kernel would for the task, stat'ed by the
// supervisor, overlaid with its record (owner, and type and rdev for device
// placeholders) and written into the task's buffer. Ids without a record are
// already what the task would see: the supervisor shares its user namespace, so
// the invoking user's files read as 0 and unmapped ids as the overflow id.
//
// The kernel checks flags first, then resolves the path, then copies the result
// out; a bad buffer with a missing file is ENOENT, with an existing one EFAULT.
// The same order is kept here.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "supervisor/handlers/handler.h"

namespace fauxroot {
namespace {

// x86_64's struct stat is the kernel's: glibc passes it to the syscall as is.
static_assert(sizeof(struct stat) == 144, "struct stat must match the kernel's x86_64 layout");

constexpr int kStatFlags = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT;
constexpr int kStatxFlags = kStatFlags | AT_STATX_SYNC_TYPE;

template <typename Buffer>
Response Finish(HandlerContext& ctx, const struct seccomp_notif& n, int fd, const struct stat& st,
                Buffer* result, uint64_t out_address) {
  auto record = ctx.metadata->Lookup(fd, st);
  if (!record) return Response::Errno(record.error());
  if (record->has_value()) FakeMetadata::Overlay(**record, result);
  // The buffer is written only once the tid is known to still be the caller.
  if (!ctx.channel->IdValid(n.id)) return Response::None();
  auto written = WriteTargetMemory(static_cast<pid_t>(n.pid), out_address, result, sizeof *result);
  if (!written) return Response::Errno(written.error() == ESRCH ? ESRCH : EFAULT);
  return Response::Return(0);
}

}  // namespace

Response HandleStat(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  Expected<UniqueFd> file = std::unexpected(EINVAL);
  uint64_t out = 0;
  int statx_flags = 0;
  unsigned statx_mask = 0;
  switch (which) {
    case Handler::kStat:
    case Handler::kLstat:
      file = ResolvePathArg(ctx, n, AT_FDCWD, n.data.args[0],
                            which == Handler::kLstat ? PathResolver::kNoFollow : 0);
      out = n.data.args[1];
      break;
    case Handler::kFstat: {
      int fd = ArgInt(n, 0);
      file = fd < 0 ? std::unexpected(EBADF) : ctx.resolver->OpenTaskFd(tid, fd);
      out = n.data.args[1];
      break;
    }
    case Handler::kNewfstatat: {
      int flags = ArgInt(n, 3);
      if (flags & ~kStatFlags) return Response::Errno(EINVAL);
      file = ResolvePathArg(ctx, n, ArgInt(n, 0), n.data.args[1], PathResolver::FromAtFlags(flags),
                            /*allow_null_empty=*/true);
      out = n.data.args[2];
      break;
    }
    case Handler::kStatx: {
      statx_flags = ArgInt(n, 2);
      statx_mask = ArgU32(n, 3);
      if ((statx_flags & ~kStatxFlags) ||
          (statx_flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
          (statx_mask & STATX__RESERVED)) {
        return Response::Errno(EINVAL);
      }
      file = ResolvePathArg(ctx, n, ArgInt(n, 0), n.data.args[1],
                            PathResolver::FromAtFlags(statx_flags),
                            /*allow_null_empty=*/true);
      out = n.data.args[4];
      break;
    }
    default:
      return Response::Errno(ENOSYS);
  }
  if (!file) return Response::Errno(file.error());

  struct stat st;
  if (fstat(file->get(), &st) != 0) return Response::Errno(errno);
  if (which != Handler::kStatx) return Finish(ctx, n, file->get(), st, &st, out);

  struct statx stx;
  if (statx(file->get(), "", AT_EMPTY_PATH | (statx_flags & AT_STATX_SYNC_TYPE), statx_mask,
            &stx) != 0) {
    return Response::Errno(errno);
  }
  return Finish(ctx, n, file->get(), st, &stx, out);
}

}  // namespace fauxroot
