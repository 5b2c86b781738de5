// The seccomp filter of the build step, made from supervisor/syscall_table.h.
//
// Every syscall of the table, on x86_64, i386 and x32, goes to the supervisor
// (SECCOMP_RET_USER_NOTIF); io_uring_setup fails with ENOSYS, because io_uring
// requests bypass seccomp and would let a step escape the emulation; everything
// else is allowed. The filter decides on the syscall number and architecture
// only, so the kernel's per-syscall action cache applies to every call it allows.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace fauxroot {

Result<std::vector<struct sock_filter>> BuildFilterProgram();

struct InstalledFilter {
  UniqueFd listener;
  bool wait_killable = false;  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV was accepted
};

// Installs `program` on the calling thread with SECCOMP_FILTER_FLAG_NEW_LISTENER,
// and WAIT_KILLABLE_RECV where the kernel has it (5.19). Requires NO_NEW_PRIVS
// or CAP_SYS_ADMIN in the thread's user namespace.
Result<InstalledFilter> InstallFilter(const std::vector<struct sock_filter>& program);

// Checks that this kernel can run fauxroot's filter: seccomp filters and
// SECCOMP_RET_USER_NOTIF (Linux 5.0). The error says what is missing.
Result<void> CheckSeccompSupport();

}  // namespace fauxroot
