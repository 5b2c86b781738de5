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

#include <cstdint>
#include <span>
#include <vector>

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
};

struct SyscallEntry {
  const char* name;
  Handler handler;
};

inline constexpr SyscallEntry kTrappedSyscalls[] = {
    {"chown", Handler::kChown},   {"lchown", Handler::kLchown},
    {"fchown", Handler::kFchown}, {"fchownat", Handler::kFchownat},
    {"mknod", Handler::kMknod},   {"mknodat", Handler::kMknodat},
    {"stat", Handler::kStat},     {"lstat", Handler::kLstat},
    {"fstat", Handler::kFstat},   {"newfstatat", Handler::kNewfstatat},
    {"statx", Handler::kStatx},
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
