// Reading and writing a target task's memory with process_vm_readv/writev.
//
// These calls never fault in the supervisor: a bad target pointer comes back as
// EFAULT, a vanished task as ESRCH. They do not check that the tid still names
// the task of a notification; the caller re-checks NOTIF_ID_VALID after
// reading and before acting on what it read (tids are reused).
//
// Errors are plain errno values: they are answered to the target as they are,
// and this path must not allocate for them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "common/result.h"
#include "supervisor/path_buffer.h"

namespace fauxroot {

// Reads exactly `size` bytes at `address` in task `tid`; EFAULT if any is unmapped.
Expected<void> ReadTargetMemory(pid_t tid, uint64_t address, void* out, size_t size);

// Writes exactly `size` bytes; EFAULT if any is unmapped or read-only.
Expected<void> WriteTargetMemory(pid_t tid, uint64_t address, const void* data, size_t size);

// Reads a NUL-terminated path of at most PATH_MAX bytes including the NUL, as the
// kernel's getname() does: EFAULT for an unmapped byte before the NUL (including a
// NULL pointer), ENAMETOOLONG when no NUL is within PATH_MAX bytes. The string is
// read page by page so that a path ending just before an unmapped page is read.
Expected<void> ReadTargetPath(pid_t tid, uint64_t address, PathBuffer* out);

}  // namespace fauxroot
