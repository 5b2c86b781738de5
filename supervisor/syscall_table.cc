#include "supervisor/syscall_table.h"

#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>

#include <memory>

#include "common/linux_compat.h"

namespace fauxroot {

Result<SyscallTable> SyscallTable::Build() {
  SyscallTable table;
  for (const SyscallEntry& entry : kTrappedSyscalls) {
    int nr = seccomp_syscall_resolve_name(entry.name);
    if (nr < 0) {
      return MakeError(0, std::string("libseccomp does not know syscall ") + entry.name);
    }
    if (static_cast<size_t>(nr) >= table.by_number_.size()) {
      table.by_number_.resize(static_cast<size_t>(nr) + 1, Handler::kNone);
    }
    table.by_number_[nr] = entry.handler;
  }
  for (const ExtraSyscall& extra : kExtraNativeSyscalls) {
    if (static_cast<size_t>(extra.nr) >= table.by_number_.size()) {
      table.by_number_.resize(static_cast<size_t>(extra.nr) + 1, Handler::kNone);
    }
    table.by_number_[extra.nr] = extra.handler;
  }
  return table;
}

uint32_t NativeAuditArch() { return seccomp_arch_native(); }

std::string SyscallName(uint32_t arch, int nr) {
  const char* abi = "?";
  uint32_t scmp_arch = arch;
  int scmp_nr = nr;
  if (arch == AUDIT_ARCH_I386) {
    abi = "i386";
  } else if (arch == AUDIT_ARCH_X86_64 && (nr & __X32_SYSCALL_BIT)) {
    abi = "x32";
    scmp_arch = SCMP_ARCH_X32;
  } else if (arch == AUDIT_ARCH_X86_64) {
    abi = "x86_64";
  }
  std::unique_ptr<char, decltype(&free)> name(seccomp_syscall_resolve_num_arch(scmp_arch, scmp_nr),
                                              &free);
  return (name ? std::string(name.get()) : "syscall " + std::to_string(nr)) + " (" + abi + ")";
}

}  // namespace fauxroot
