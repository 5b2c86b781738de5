#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    case Handler::kNone:
      break;
  }
  return Response::Continue();
}

namespace {

// The value after "\nName:" in /proc/TID/status; `last`: the last of several.
Expected<unsigned long> StatusField(pid_t tid, const char* name, int base, bool last) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", tid);
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return std::unexpected(ESRCH);
  char text[4096];
  ssize_t n = read(fd.get(), text, sizeof text - 1);
  if (n <= 0) return std::unexpected(ESRCH);
  text[n] = '\0';
  const char* line = strstr(text, name);
  if (line == nullptr) return std::unexpected(ESRCH);
  const char* value = line + strlen(name);
  if (last) {
    const char* end = strchr(value, '\n');
    const char* tab = end != nullptr ? end : value + strlen(value);
    while (tab > value && tab[-1] != '\t' && tab[-1] != ' ') --tab;
    value = tab;
  }
  return strtoul(value, nullptr, base);
}

}  // namespace

Expected<mode_t> TaskUmask(pid_t tid) {
  auto value = StatusField(tid, "\nUmask:", 8, false);
  if (!value) return std::unexpected(value.error());
  return static_cast<mode_t>(*value);
}

Expected<pid_t> TaskNamespacePid(pid_t tid) {
  auto value = StatusField(tid, "\nNStgid:", 10, true);
  if (!value) return std::unexpected(value.error());
  return static_cast<pid_t>(*value);
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
