// Extended attributes: set/get/list/remove in their path, l- and f- forms, and
// the *xattrat calls (Linux 6.13).
//
// security.*, trusted.* and the POSIX ACLs are kept in the db, as real root
// would have them and the kernel will not for an unprivileged user; user.* and
// everything else is the kernel's (CONTINUE). Reading an attribute the db does
// not hold, and removing one, also go to the kernel, so a real attribute is
// never hidden.
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <string>

#include "common/fd_path.h"
#include "supervisor/handlers/handler.h"
#include "supervisor/posix_acl.h"

namespace fauxroot {
namespace {

constexpr size_t kXattrNameMax = 255;
constexpr size_t kXattrSizeMax = 65536;
constexpr size_t kXattrArgsSize = 16;  // struct xattr_args, version 0

enum class Op { kSet, kGet, kList, kRemove };

struct Request {
  Op op;
  Expected<UniqueFd> file = std::unexpected(EINVAL);
  uint64_t name = 0;   // set, get, remove
  uint64_t value = 0;  // set, get; the list buffer for list
  uint64_t size = 0;
  int flags = 0;  // set
};

bool IsKeptInDb(std::string_view name) {
  return name.starts_with("security.") || name.starts_with("trusted.") || name == kAclAccess ||
         name == kAclDefault;
}

// Who may set or remove `name` on a file owned by `owner`.
int CheckPermission(const Credentials& creds, std::string_view name, uid_t owner) {
  if (name == kAclAccess || name == kAclDefault) {
    return creds.fsuid == owner || creds.Capable(kCapFowner) ? 0 : EPERM;
  }
  if (name == "security.capability") return creds.Capable(kCapSetfcap) ? 0 : EPERM;
  return creds.Capable(kCapSysAdmin) ? 0 : EPERM;
}

// Real root writes a revision 2 capability; a v3 one whose root id is 0 means
// the same thing and the kernel stores it as v2 (cap_convert_nscap).
std::expected<std::string, int> NormalizeCapability(std::string value) {
  if (value.size() < sizeof(uint32_t)) return std::unexpected(EINVAL);
  uint32_t magic;
  memcpy(&magic, value.data(), sizeof magic);
  const uint32_t revision = magic & VFS_CAP_REVISION_MASK;
  if (revision == VFS_CAP_REVISION_2 && value.size() == XATTR_CAPS_SZ_2) return value;
  if (revision == VFS_CAP_REVISION_3 && value.size() == XATTR_CAPS_SZ_3) {
    uint32_t rootid;
    memcpy(&rootid, value.data() + XATTR_CAPS_SZ_2, sizeof rootid);
    if (rootid != 0) return value;
    magic = (magic & ~VFS_CAP_REVISION_MASK) | VFS_CAP_REVISION_2;
    memcpy(value.data(), &magic, sizeof magic);
    value.resize(XATTR_CAPS_SZ_2);
    return value;
  }
  if (revision == VFS_CAP_REVISION_1 && value.size() == XATTR_CAPS_SZ_1) return value;
  return std::unexpected(EINVAL);
}

Expected<std::string> ReadName(pid_t tid, uint64_t address) {
  PathBuffer name;
  auto read = ReadTargetPath(tid, address, &name);
  if (!read) return std::unexpected(read.error() == ENAMETOOLONG ? ERANGE : read.error());
  if (name.empty() || name.size() > kXattrNameMax) return std::unexpected(ERANGE);
  return std::string(name.view());
}

// Writes `data` to the caller's buffer with the size protocol of get/listxattr.
Response Reply(const struct seccomp_notif& n, const Request& req, std::string_view data) {
  if (req.size == 0) return Response::Return(static_cast<int64_t>(data.size()));
  if (req.size < data.size()) return Response::Errno(ERANGE);
  auto written = WriteTargetMemory(static_cast<pid_t>(n.pid), req.value, data.data(), data.size());
  if (!written) return Response::Errno(EFAULT);
  return Response::Return(static_cast<int64_t>(data.size()));
}

// The names the kernel holds for the object open as `fd`.
std::string RealNames(int fd, const struct stat& st) {
  if (S_ISLNK(st.st_mode)) return "";  // no unprivileged attributes on symlinks
  FdPath link(fd);
  std::string names(4096, '\0');
  for (;;) {
    ssize_t n = listxattr(link.c_str(), names.data(), names.size());
    if (n >= 0) {
      names.resize(static_cast<size_t>(n));
      return names;
    }
    if (errno != ERANGE) return "";
    names.resize(names.size() * 4);
  }
}

Response Set(HandlerContext& ctx, const struct seccomp_notif& n, const Request& req,
             const std::string& name, int fd, const struct stat& st, InodeRecord record) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  if (req.flags & ~(XATTR_CREATE | XATTR_REPLACE)) return Response::Errno(EINVAL);
  if (req.size > kXattrSizeMax) return Response::Errno(E2BIG);
  std::string value(req.size, '\0');
  if (req.size > 0 && !ReadTargetMemory(tid, req.value, value.data(), value.size())) {
    return Response::Errno(EFAULT);
  }
  const Credentials& creds = ctx.tasks->Get(tid);
  if (int err = CheckPermission(creds, name, record.uid); err != 0) return Response::Errno(err);
  const bool exists = record.FindXattr(name) != nullptr;
  if ((req.flags & XATTR_CREATE) && exists) return Response::Errno(EEXIST);
  if ((req.flags & XATTR_REPLACE) && !exists) return Response::Errno(ENODATA);

  mode_t new_mode = st.st_mode & 07777;
  bool keep = true;
  if (name == kAclAccess || name == kAclDefault) {
    auto acl = ParseAcl(value);
    if (!acl) return Response::Errno(acl.error());
    if (name == kAclDefault) {
      if (!S_ISDIR(st.st_mode)) return Response::Errno(EACCES);
    } else {
      AclMode mode = ModeOfAcl(*acl);
      new_mode = (new_mode & ~0777) | mode.permissions;
      if (!creds.InGroup(record.gid) && !creds.Capable(kCapFsetid)) new_mode &= ~S_ISGID;
      keep = !mode.equivalent;  // an ACL that a mode says all of is not kept
    }
  } else if (name == "security.capability") {
    auto normalized = NormalizeCapability(std::move(value));
    if (!normalized) return Response::Errno(normalized.error());
    value = std::move(*normalized);
  }

  if (!ctx.channel->IdValid(n.id)) return Response::None();
  if (new_mode != (st.st_mode & 07777)) {
    FdPath link(fd);
    if (fchmodat(AT_FDCWD, link.c_str(), new_mode, 0) != 0) return Response::Errno(errno);
  }
  if (keep) {
    record.SetXattr(name, value);
  } else {
    record.RemoveXattr(name);
  }
  if (auto stored = ctx.metadata->Store(fd, st, record); !stored) {
    return Response::Errno(stored.error());
  }
  return Response::Return(0);
}

Response Handle(HandlerContext& ctx, const struct seccomp_notif& n, Request& req) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  std::string name;
  if (req.op != Op::kList) {
    auto read = ReadName(tid, req.name);
    if (!read) return Response::Errno(read.error());
    name = std::move(*read);
    if (!IsKeptInDb(name)) return Response::Continue();
  }
  // A path the kernel cannot resolve fails there with the same error.
  if (!req.file) return Response::Continue();
  const int fd = req.file->get();
  struct stat st;
  if (fstat(fd, &st) != 0) return Response::Continue();
  auto found = ctx.metadata->Lookup(fd, st);
  if (!found) return Response::Errno(found.error());
  InodeRecord record = found->value_or(InodeRecord{});

  switch (req.op) {
    case Op::kSet:
      return Set(ctx, n, req, name, fd, st, std::move(record));
    case Op::kGet: {
      const Xattr* x = record.FindXattr(name);
      if (x == nullptr) return Response::Continue();
      if (!ctx.channel->IdValid(n.id)) return Response::None();
      return Reply(n, req, x->value);
    }
    case Op::kList: {
      std::string names = RealNames(fd, st);
      for (const Xattr& x : record.xattrs) {
        bool listed = false;
        for (size_t at = 0; at < names.size(); at += strlen(names.c_str() + at) + 1) {
          listed |= x.name == names.c_str() + at;
        }
        if (!listed) names.append(x.name).push_back('\0');
      }
      if (!ctx.channel->IdValid(n.id)) return Response::None();
      return Reply(n, req, names);
    }
    case Op::kRemove: {
      if (int err = CheckPermission(ctx.tasks->Get(tid), name, record.uid); err != 0) {
        return Response::Errno(err);
      }
      if (record.FindXattr(name) == nullptr) {
        // trusted.* exists only in the db (the kernel hides it from the user);
        // security.* may also be real, so the kernel answers for it.
        return name.starts_with("trusted.") ? Response::Errno(ENODATA) : Response::Continue();
      }
      if (!ctx.channel->IdValid(n.id)) return Response::None();
      record.RemoveXattr(name);
      if (auto stored = ctx.metadata->Store(fd, st, record); !stored) {
        return Response::Errno(stored.error());
      }
      return Response::Return(0);
    }
  }
  return Response::Continue();
}

}  // namespace

Response HandleXattr(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  const auto& a = n.data.args;
  Request req{Op::kSet};
  auto by_path = [&](unsigned flags) { return ResolvePathArg(ctx, n, AT_FDCWD, a[0], flags); };
  auto by_fd = [&]() -> Expected<UniqueFd> {
    int fd = ArgInt(n, 0);
    if (fd < 0) return std::unexpected(EBADF);
    return ctx.resolver->OpenTaskFd(tid, fd);
  };
  switch (which) {
    case Handler::kSetxattr:
    case Handler::kLsetxattr:
    case Handler::kFsetxattr:
      req = Request{Op::kSet};
      req.file = which == Handler::kFsetxattr
                     ? by_fd()
                     : by_path(which == Handler::kLsetxattr ? PathResolver::kNoFollow : 0);
      req.name = a[1];
      req.value = a[2];
      req.size = a[3];
      req.flags = ArgInt(n, 4);
      break;
    case Handler::kGetxattr:
    case Handler::kLgetxattr:
    case Handler::kFgetxattr:
      req = Request{Op::kGet};
      req.file = which == Handler::kFgetxattr
                     ? by_fd()
                     : by_path(which == Handler::kLgetxattr ? PathResolver::kNoFollow : 0);
      req.name = a[1];
      req.value = a[2];
      req.size = a[3];
      break;
    case Handler::kListxattr:
    case Handler::kLlistxattr:
    case Handler::kFlistxattr:
      req = Request{Op::kList};
      req.file = which == Handler::kFlistxattr
                     ? by_fd()
                     : by_path(which == Handler::kLlistxattr ? PathResolver::kNoFollow : 0);
      req.value = a[1];
      req.size = a[2];
      break;
    case Handler::kRemovexattr:
    case Handler::kLremovexattr:
    case Handler::kFremovexattr:
      req = Request{Op::kRemove};
      req.file = which == Handler::kFremovexattr
                     ? by_fd()
                     : by_path(which == Handler::kLremovexattr ? PathResolver::kNoFollow : 0);
      req.name = a[1];
      break;
    case Handler::kSetxattrat:
    case Handler::kGetxattrat: {
      // (dirfd, path, at_flags, name, struct xattr_args *, size)
      if (a[5] < kXattrArgsSize) return Response::Continue();
      struct {
        uint64_t value;
        uint32_t size;
        uint32_t flags;
      } args;
      if (!ReadTargetMemory(tid, a[4], &args, sizeof args)) return Response::Errno(EFAULT);
      req = Request{which == Handler::kSetxattrat ? Op::kSet : Op::kGet};
      req.file =
          ResolvePathArg(ctx, n, ArgInt(n, 0), a[1], PathResolver::FromAtFlags(ArgInt(n, 2)));
      req.name = a[3];
      req.value = args.value;
      req.size = args.size;
      req.flags = static_cast<int>(args.flags);
      if (which == Handler::kGetxattrat && args.flags != 0) return Response::Continue();
      break;
    }
    case Handler::kListxattrat:
      req = Request{Op::kList};
      req.file =
          ResolvePathArg(ctx, n, ArgInt(n, 0), a[1], PathResolver::FromAtFlags(ArgInt(n, 2)));
      req.value = a[3];
      req.size = a[4];
      break;
    case Handler::kRemovexattrat:
      req = Request{Op::kRemove};
      req.file =
          ResolvePathArg(ctx, n, ArgInt(n, 0), a[1], PathResolver::FromAtFlags(ArgInt(n, 2)));
      req.name = a[3];
      break;
    default:
      return Response::Continue();
  }
  return Handle(ctx, n, req);
}

}  // namespace fauxroot
