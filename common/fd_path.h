// FdPath: "/proc/self/fd/N", the path that reaches the file behind fd N -- for
// calls that take a path but no fd when the fd is an O_PATH one (chmod,
// listxattr, utimensat, linkat...). Following it jumps to the file itself.
#pragma once

#include <stdio.h>

namespace fauxroot {

class FdPath {
 public:
  explicit FdPath(int fd) { snprintf(text_, sizeof text_, "/proc/self/fd/%d", fd); }
  const char* c_str() const { return text_; }

 private:
  char text_[32];
};

}  // namespace fauxroot
