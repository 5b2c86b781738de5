// A pidfd of one task (thread), for watching its exit.
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/unique_fd.h"

namespace fauxroot {

// A pidfd that becomes readable when task `tid` exits (PIDFD_THREAD, Linux
// 6.9; before that only a thread group leader has one). Invalid on failure.
inline UniqueFd OpenTaskPidfd(pid_t tid) {
#ifdef PIDFD_THREAD
  constexpr unsigned kPidfdThread = PIDFD_THREAD;
#else
  constexpr unsigned kPidfdThread = O_EXCL;  // its value in Linux 6.9
#endif
  long fd = syscall(SYS_pidfd_open, tid, kPidfdThread);
  if (fd < 0 && errno == EINVAL) fd = syscall(SYS_pidfd_open, tid, 0);
  return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

}  // namespace fauxroot
