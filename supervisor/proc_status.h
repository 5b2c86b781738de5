// ProcStatus: a task's /proc/TID/status, read once, with its fields by name.
//
// Reading it costs about 16 us, so only rare paths use it (a task seen for the
// first time, mknod's umask, capset's pid, /proc/self in the slow walk).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

#include "supervisor/target_memory.h"

namespace fauxroot {

class ProcStatus {
 public:
  // Reads /proc/TID/status under `proc_fd` (the supervisor's /proc). ESRCH when
  // the task is gone.
  static Expected<ProcStatus> Read(int proc_fd, pid_t tid);

  // The number after "Name:" (e.g. "Umask" in octal: base 8). With `innermost`,
  // the last of several (NSpid, NStgid: the id in the innermost pid namespace).
  std::optional<long> Field(std::string_view name, int base = 10, bool innermost = false) const;

 private:
  char text_[4096];
  size_t size_ = 0;
};

}  // namespace fauxroot
