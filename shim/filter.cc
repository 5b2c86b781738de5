#include "shim/filter.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
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

Result<void> AddRule(scmp_filter_ctx ctx, uint32_t action, const char* name,
                     const SyscallEntry* match = nullptr) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) {
    return MakeError(0, std::string("libseccomp: unknown syscall ") + name);
  }
  int rc = match == nullptr || match->arg < 0
               ? seccomp_rule_add(ctx, action, nr, 0)
               : seccomp_rule_add(ctx, action, nr, 1,
                                  SCMP_CMP(static_cast<unsigned>(match->arg), SCMP_CMP_MASKED_EQ,
                                           match->mask, match->value));
  if (rc != 0) return ScmpError(rc, std::string("add rule for ") + name);
  return {};
}

// Syscalls libseccomp 2.5.4 does not know (kExtraNativeSyscalls) are checked by
// a few instructions ahead of its program, which starts by loading the
// architecture again. New syscalls share their number on x86_64 and i386; x32
// adds its bit. Foreign ones reach the supervisor too, which refuses them.
std::vector<struct sock_filter> ExtraSyscallsPrefix() {
  std::vector<struct sock_filter> prefix;
  auto block = [&](uint32_t arch, const std::vector<uint32_t>& numbers) {
    prefix.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    // Skip this block's number checks when the architecture differs.
    prefix.push_back(
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, static_cast<uint8_t>(numbers.size() + 1)));
    prefix.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    for (uint32_t nr : numbers) prefix.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 0));
  };
  std::vector<uint32_t> x86_64, i386;
  for (const ExtraSyscall& extra : kExtraNativeSyscalls) {
    x86_64.push_back(static_cast<uint32_t>(extra.nr));
    x86_64.push_back(static_cast<uint32_t>(extra.nr) | __X32_SYSCALL_BIT);
    i386.push_back(static_cast<uint32_t>(extra.nr));
  }
  block(AUDIT_ARCH_X86_64, x86_64);
  block(AUDIT_ARCH_I386, i386);
  const size_t checks = prefix.size();
  // No match: jump over the notify return to libseccomp's program.
  prefix.push_back(BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 1, 0, 0));
  const size_t notify = prefix.size();
  prefix.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
  // Point every number match at the notify return.
  for (size_t i = 0; i < checks; ++i) {
    struct sock_filter& insn = prefix[i];
    if (insn.code == (BPF_JMP | BPF_JEQ | BPF_K) && insn.jt == 0 && insn.jf == 0) {
      insn.jt = static_cast<uint8_t>(notify - i - 1);
    }
  }
  return prefix;
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
    if (auto added = AddRule(ctx.get(), SCMP_ACT_NOTIFY, entry.name, &entry); !added)
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
  std::vector<struct sock_filter> program = ExtraSyscallsPrefix();
  const size_t prefix = program.size();
  program.resize(prefix + static_cast<size_t>(size) / sizeof(struct sock_filter));
  if (pread(memfd.get(), program.data() + prefix, static_cast<size_t>(size), 0) != size) {
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
