// The one table of trapped syscalls. It is the only source of the BPF filter
// (shim/filter.h), of the dispatch to handlers and of the names in logs.
// Numbers come from libseccomp, never from this file.
//
// ABIs: the handlers emulate the x86_64 ABI. The filter also covers i386
// (int 0x80 and 32-bit programs) and x32, where it traps every call in the table
// plus the i386-only variants below; the supervisor fails those with ENOSYS and a
// warning naming the call, so that no foreign-ABI chown or stat ever passes
// unseen with real (unfaked) results.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include <cstdint>
#include <span>
#include <vector>

#include "common/linux_compat.h"
#include "common/result.h"

namespace fauxroot {

enum class Handler : uint8_t {
  kNone = 0,
  kChown,
  kLchown,
  kFchown,
  kFchownat,
  kMknod,
  kMknodat,
  kStat,
  kLstat,
  kFstat,
  kNewfstatat,
  kStatx,
  kGetuid,
  kGeteuid,
  kGetgid,
  kGetegid,
  kGetresuid,
  kGetresgid,
  kGetgroups,
  kSetuid,
  kSetgid,
  kSetreuid,
  kSetregid,
  kSetresuid,
  kSetresgid,
  kSetfsuid,
  kSetfsgid,
  kSetgroups,
  kExecve,
  kExecveat,
  kOpen,
  kOpenat,
  kOpenat2,
  kCreat,
  kMkdir,
  kMkdirat,
  kSymlink,
  kSymlinkat,
  kChmod,
  kFchmod,
  kFchmodat,
  kFchmodat2,
  kCapget,
  kCapset,
  kPrctl,
  kSetxattr,
  kLsetxattr,
  kFsetxattr,
  kGetxattr,
  kLgetxattr,
  kFgetxattr,
  kListxattr,
  kLlistxattr,
  kFlistxattr,
  kRemovexattr,
  kLremovexattr,
  kFremovexattr,
  kSetxattrat,
  kGetxattrat,
  kListxattrat,
  kRemovexattrat,
  kMount,
  kRootChange,
};

struct SyscallEntry {
  const char* name;
  Handler handler;
  // When arg >= 0, the call is trapped only if (argument & mask) == value; the
  // kernel runs every other call without asking the supervisor. A name may
  // appear more than once: any of its entries traps it.
  int8_t arg = -1;
  uint64_t mask = 0;
  uint64_t value = 0;
};

inline constexpr SyscallEntry kTrappedSyscalls[] = {
    // ownership
    {"chown", Handler::kChown},
    {"lchown", Handler::kLchown},
    {"fchown", Handler::kFchown},
    {"fchownat", Handler::kFchownat},
    {"chmod", Handler::kChmod},
    {"fchmod", Handler::kFchmod},
    {"fchmodat", Handler::kFchmodat},
    // nodes and creation under a fake owner
    {"mknod", Handler::kMknod},
    {"mknodat", Handler::kMknodat},
    {"open", Handler::kOpen, 1, O_CREAT, O_CREAT},
    {"openat", Handler::kOpenat, 2, O_CREAT, O_CREAT},
    {"openat2", Handler::kOpenat2},
    {"creat", Handler::kCreat},
    {"mkdir", Handler::kMkdir},
    {"mkdirat", Handler::kMkdirat},
    {"symlink", Handler::kSymlink},
    {"symlinkat", Handler::kSymlinkat},
    // metadata read
    {"stat", Handler::kStat},
    {"lstat", Handler::kLstat},
    {"fstat", Handler::kFstat},
    {"newfstatat", Handler::kNewfstatat},
    {"statx", Handler::kStatx},
    // credentials
    {"getuid", Handler::kGetuid},
    {"geteuid", Handler::kGeteuid},
    {"getgid", Handler::kGetgid},
    {"getegid", Handler::kGetegid},
    {"getresuid", Handler::kGetresuid},
    {"getresgid", Handler::kGetresgid},
    {"getgroups", Handler::kGetgroups},
    {"setuid", Handler::kSetuid},
    {"setgid", Handler::kSetgid},
    {"setreuid", Handler::kSetreuid},
    {"setregid", Handler::kSetregid},
    {"setresuid", Handler::kSetresuid},
    {"setresgid", Handler::kSetresgid},
    {"setfsuid", Handler::kSetfsuid},
    {"setfsgid", Handler::kSetfsgid},
    {"setgroups", Handler::kSetgroups},
    {"capget", Handler::kCapget},
    {"capset", Handler::kCapset},
    {"prctl", Handler::kPrctl, 0, 0xffffffff, PR_GET_KEEPCAPS},
    {"prctl", Handler::kPrctl, 0, 0xffffffff, PR_SET_KEEPCAPS},
    // extended attributes
    {"setxattr", Handler::kSetxattr},
    {"lsetxattr", Handler::kLsetxattr},
    {"fsetxattr", Handler::kFsetxattr},
    {"getxattr", Handler::kGetxattr},
    {"lgetxattr", Handler::kLgetxattr},
    {"fgetxattr", Handler::kFgetxattr},
    {"listxattr", Handler::kListxattr},
    {"llistxattr", Handler::kLlistxattr},
    {"flistxattr", Handler::kFlistxattr},
    {"removexattr", Handler::kRemovexattr},
    {"lremovexattr", Handler::kLremovexattr},
    {"fremovexattr", Handler::kFremovexattr},
    {"execve", Handler::kExecve},
    {"execveat", Handler::kExecveat},
    // a new mount (not a bind, remount, move or propagation change): devpts
    {"mount", Handler::kMount, 3,
     MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE, 0},
    // calls that change a task's root: they make TaskHandles forget roots (task_handles.h)
    {"chroot", Handler::kRootChange},
    {"pivot_root", Handler::kRootChange},
    {"setns", Handler::kRootChange},
    {"unshare", Handler::kRootChange, 0, CLONE_NEWNS, CLONE_NEWNS},
};

// Native calls newer than libseccomp 2.5.4, by number (common/linux_compat.h):
// the filter checks them ahead of libseccomp's program.
struct ExtraSyscall {
  int nr;
  Handler handler;
  const char* name;
};
inline constexpr ExtraSyscall kExtraNativeSyscalls[] = {
    {__NR_fchmodat2, Handler::kFchmodat2, "fchmodat2"},
    {__NR_setxattrat, Handler::kSetxattrat, "setxattrat"},
    {__NR_getxattrat, Handler::kGetxattrat, "getxattrat"},
    {__NR_listxattrat, Handler::kListxattrat, "listxattrat"},
    {__NR_removexattrat, Handler::kRemovexattrat, "removexattrat"},
};

// Calls that exist only on i386 and are trapped there to be refused.
inline constexpr const char* kForeignOnlySyscalls[] = {
    "chown32", "lchown32",  "fchown32", "stat64",   "lstat64",
    "fstat64", "fstatat64", "oldstat",  "oldlstat", "oldfstat",
};

class SyscallTable {
 public:
  // Resolves every name for the native ABI.
  static Result<SyscallTable> Build();

  // The handler of native syscall `nr`, or kNone.
  Handler Lookup(int nr) const {
    return nr >= 0 && static_cast<size_t>(nr) < by_number_.size() ? by_number_[nr] : Handler::kNone;
  }

 private:
  std::vector<Handler> by_number_;
};

// The native audit architecture (AUDIT_ARCH_X86_64 here).
uint32_t NativeAuditArch();
// "chown32 (i386)" for logs: the name of syscall `nr` of `arch`, or its number.
std::string SyscallName(uint32_t arch, int nr);

}  // namespace fauxroot
