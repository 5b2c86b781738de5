#include "shim/filter.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>

#include "common/linux_compat.h"
#include "supervisor/syscall_table.h"

namespace fauxroot {
namespace {

using ScmpCtx = std::unique_ptr<void, decltype(&seccomp_release)>;

std::unexpected<Error> ScmpError(int rc, const std::string& what) {
  return MakeError(-rc, "libseccomp: " + what);
}

Result<void> AddRule(scmp_filter_ctx ctx, uint32_t action, const char* name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR)
    return MakeError(0, std::string("libseccomp: unknown syscall ") + name);
  int rc = seccomp_rule_add(ctx, action, nr, 0);
  if (rc != 0) return ScmpError(rc, std::string("add rule for ") + name);
  return {};
}

}  // namespace

Result<std::vector<struct sock_filter>> BuildFilterProgram() {
  ScmpCtx ctx(seccomp_init(SCMP_ACT_ALLOW), &seccomp_release);
  if (!ctx) return MakeError(ENOMEM, "libseccomp: seccomp_init");
  for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    int rc = seccomp_arch_add(ctx.get(), arch);
    if (rc != 0 && rc != -EEXIST) return ScmpError(rc, "add architecture");
  }
  for (const SyscallEntry& entry : kTrappedSyscalls) {
    if (auto added = AddRule(ctx.get(), SCMP_ACT_NOTIFY, entry.name); !added)
      return std::unexpected(added.error());
  }
  for (const char* name : kForeignOnlySyscalls) {
    if (auto added = AddRule(ctx.get(), SCMP_ACT_NOTIFY, name); !added)
      return std::unexpected(added.error());
  }
  if (auto added = AddRule(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), "io_uring_setup"); !added) {
    return std::unexpected(added.error());
  }

  // libseccomp 2.5 exports BPF only to an fd.
  UniqueFd memfd(memfd_create("fauxroot-bpf", MFD_CLOEXEC));
  if (!memfd) return ErrnoError("memfd_create");
  int rc = seccomp_export_bpf(ctx.get(), memfd.get());
  if (rc != 0) return ScmpError(rc, "export BPF");
  off_t size = lseek(memfd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) != 0) {
    return MakeError(0, "libseccomp: exported BPF has a bad size");
  }
  std::vector<struct sock_filter> program(static_cast<size_t>(size) / sizeof(struct sock_filter));
  if (pread(memfd.get(), program.data(), static_cast<size_t>(size), 0) != size) {
    return ErrnoError("read exported BPF");
  }
  return program;
}

Result<InstalledFilter> InstallFilter(const std::vector<struct sock_filter>& program) {
  struct sock_fprog prog = {static_cast<unsigned short>(program.size()),
                            const_cast<struct sock_filter*>(program.data())};
  InstalledFilter installed;
  // WAIT_KILLABLE_RECV: once the supervisor has received a notification, only a
  // fatal signal interrupts the call, so handlers never race a restart.
  long fd =
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
              SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
  installed.wait_killable = fd >= 0;
  if (fd < 0 && errno == EINVAL) {  // before Linux 5.19
    fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  }
  if (fd < 0) {
    if (errno == EBUSY) {
      return ErrnoError(
          "install seccomp filter: this process already has a user-notification filter "
          "(nested fauxroot or another supervisor)");
    }
    return ErrnoError("install seccomp filter");
  }
  installed.listener.reset(static_cast<int>(fd));
  return installed;
}

Result<void> CheckSeccompSupport() {
  uint32_t action = SECCOMP_RET_USER_NOTIF;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
    if (errno == EOPNOTSUPP || errno == EINVAL) {
      return MakeError(errno,
                       "this kernel lacks seccomp user notification (SECCOMP_RET_USER_NOTIF, "
                       "Linux >= 5.0); fauxroot cannot run here");
    }
    return ErrnoError("this kernel does not support seccomp filters (CONFIG_SECCOMP_FILTER)");
  }
  return {};
}

}  // namespace fauxroot
