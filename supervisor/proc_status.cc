#include "supervisor/proc_status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/unique_fd.h"

namespace fauxroot {

Expected<ProcStatus> ProcStatus::Read(int proc_fd, pid_t tid) {
  char name[32];
  snprintf(name, sizeof name, "%d/status", tid);
  UniqueFd fd(openat(proc_fd, name, O_RDONLY | O_CLOEXEC));
  if (!fd) return std::unexpected(ESRCH);
  ProcStatus status;
  ssize_t n = read(fd.get(), status.text_, sizeof status.text_ - 1);
  if (n <= 0) return std::unexpected(ESRCH);
  status.size_ = static_cast<size_t>(n);
  status.text_[status.size_] = '\0';
  return status;
}

std::optional<long> ProcStatus::Field(std::string_view name, int base, bool innermost) const {
  std::string_view text(text_, size_);
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
        line[name.size()] != ':') {
      continue;
    }
    size_t value = innermost ? line.find_last_of("\t ") : name.size();
    if (value == std::string_view::npos) return std::nullopt;
    // The line ends at '\n' (or at the NUL after the text), so strtol stops there.
    char* stop;
    long number = strtol(line.data() + value + 1, &stop, base);
    if (stop == line.data() + value + 1) return std::nullopt;
    return number;
  }
  return std::nullopt;
}

}  // namespace fauxroot
