// get*id and set*id: answered from, and applied to, the task's fake credentials
// (supervisor/credentials.h has the rules, supervisor/task_table.h the tasks).
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>

#include "supervisor/handlers/handler.h"

namespace fauxroot {
namespace {

Response WriteIds(const struct seccomp_notif& n, std::initializer_list<uint32_t> ids) {
  // The kernel stores them one by one with put_user; the first bad pointer fails.
  int i = 0;
  for (uint32_t id : ids) {
    auto written = WriteTargetMemory(static_cast<pid_t>(n.pid), n.data.args[i++], &id, sizeof id);
    if (!written) return Response::Errno(EFAULT);
  }
  return Response::Return(0);
}

// capget/capset with the v2/v3 layout (two 32-bit halves of each set). Other
// versions, and other tasks' capabilities, are the kernel's business.
Response HandleCapabilities(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  struct __user_cap_header_struct header;
  if (!ReadTargetMemory(tid, n.data.args[0], &header, sizeof header))
    return Response::Errno(EFAULT);
  if (header.version != _LINUX_CAPABILITY_VERSION_2 &&
      header.version != _LINUX_CAPABILITY_VERSION_3) {
    return Response::Continue();
  }
  if (header.pid != 0) {
    auto self = TaskNamespacePid(ctx, tid);
    if (!self || *self != header.pid) return Response::Continue();
  }
  struct __user_cap_data_struct data[2] = {};
  if (which == Handler::kCapget) {
    if (n.data.args[1] == 0) return Response::Return(0);
    const Credentials& c = ctx.tasks->Get(tid);
    for (int half = 0; half < 2; ++half) {
      data[half].effective = static_cast<uint32_t>(c.cap_effective >> (32 * half));
      data[half].permitted = static_cast<uint32_t>(c.cap_permitted >> (32 * half));
    }
    if (!ctx.channel->IdValid(n.id)) return Response::None();
    if (!WriteTargetMemory(tid, n.data.args[1], data, sizeof data)) return Response::Errno(EFAULT);
    return Response::Return(0);
  }
  if (!ReadTargetMemory(tid, n.data.args[1], data, sizeof data)) return Response::Errno(EFAULT);
  if (!ctx.channel->IdValid(n.id)) return Response::None();
  const uint64_t effective = data[0].effective | (uint64_t{data[1].effective} << 32);
  const uint64_t permitted = data[0].permitted | (uint64_t{data[1].permitted} << 32);
  int err = ctx.tasks->Change(tid, [&](Credentials& c) {
    return SetCapabilities(c, effective & kAllCaps, permitted & kAllCaps);
  });
  return err != 0 ? Response::Errno(err) : Response::Return(0);
}

}  // namespace

Response HandleCredentials(HandlerContext& ctx, const struct seccomp_notif& n, Handler which) {
  const pid_t tid = static_cast<pid_t>(n.pid);
  TaskTable& tasks = *ctx.tasks;
  switch (which) {
    case Handler::kGetuid:
      return Response::Return(tasks.Get(tid).ruid);
    case Handler::kGeteuid:
      return Response::Return(tasks.Get(tid).euid);
    case Handler::kGetgid:
      return Response::Return(tasks.Get(tid).rgid);
    case Handler::kGetegid:
      return Response::Return(tasks.Get(tid).egid);
    case Handler::kGetresuid:
    case Handler::kGetresgid: {
      Credentials c = tasks.Get(tid);
      if (!ctx.channel->IdValid(n.id)) return Response::None();
      return which == Handler::kGetresuid ? WriteIds(n, {c.ruid, c.euid, c.suid})
                                          : WriteIds(n, {c.rgid, c.egid, c.sgid});
    }
    case Handler::kGetgroups: {
      int size = ArgInt(n, 0);
      Credentials c = tasks.Get(tid);
      if (size < 0) return Response::Errno(EINVAL);
      if (size == 0) return Response::Return(static_cast<int64_t>(c.groups.size()));
      if (static_cast<size_t>(size) < c.groups.size()) return Response::Errno(EINVAL);
      if (!ctx.channel->IdValid(n.id)) return Response::None();
      auto written =
          WriteTargetMemory(tid, n.data.args[1], c.groups.data(), c.groups.size() * sizeof(gid_t));
      if (!written) return Response::Errno(EFAULT);
      return Response::Return(static_cast<int64_t>(c.groups.size()));
    }
    case Handler::kSetgroups: {
      int size = ArgInt(n, 0);
      if (!tasks.Get(tid).Capable(kCapSetgid)) return Response::Errno(EPERM);
      if (size < 0 || static_cast<size_t>(size) > kMaxGroups) return Response::Errno(EINVAL);
      std::vector<gid_t> groups(static_cast<size_t>(size));
      if (size > 0) {
        auto read =
            ReadTargetMemory(tid, n.data.args[1], groups.data(), groups.size() * sizeof(gid_t));
        if (!read) return Response::Errno(EFAULT);
      }
      if (!ctx.channel->IdValid(n.id)) return Response::None();
      int err = tasks.Change(
          tid, [&](Credentials& c) { return SetGroups(c, groups.data(), groups.size()); });
      return err != 0 ? Response::Errno(err) : Response::Return(0);
    }
    case Handler::kCapget:
    case Handler::kCapset:
      return HandleCapabilities(ctx, n, which);
    case Handler::kPrctl: {
      const int option = ArgInt(n, 0);
      if (option == PR_GET_KEEPCAPS) return Response::Return(tasks.Get(tid).keep_caps ? 1 : 0);
      if (option != PR_SET_KEEPCAPS) return Response::Continue();
      const uint64_t keep = n.data.args[1];
      if (keep > 1) return Response::Errno(EINVAL);
      tasks.Change(tid, [&](Credentials& c) {
        c.keep_caps = keep == 1;
        return 0;
      });
      return Response::Return(0);
    }
    case Handler::kSetfsuid:
    case Handler::kSetfsgid: {
      uint32_t old = 0;
      tasks.Change(tid, [&](Credentials& c) {
        old = which == Handler::kSetfsuid ? SetFsuid(c, ArgU32(n, 0)) : SetFsgid(c, ArgU32(n, 0));
        return 0;
      });
      return Response::Return(old);
    }
    default:
      break;
  }

  int err = tasks.Change(tid, [&](Credentials& c) {
    switch (which) {
      case Handler::kSetuid:
        return SetUid(c, ArgU32(n, 0));
      case Handler::kSetgid:
        return SetGid(c, ArgU32(n, 0));
      case Handler::kSetreuid:
        return SetReuid(c, ArgU32(n, 0), ArgU32(n, 1));
      case Handler::kSetregid:
        return SetRegid(c, ArgU32(n, 0), ArgU32(n, 1));
      case Handler::kSetresuid:
        return SetResuid(c, ArgU32(n, 0), ArgU32(n, 1), ArgU32(n, 2));
      case Handler::kSetresgid:
        return SetResgid(c, ArgU32(n, 0), ArgU32(n, 1), ArgU32(n, 2));
      default:
        return ENOSYS;
    }
  });
  return err != 0 ? Response::Errno(err) : Response::Return(0);
}

}  // namespace fauxroot
