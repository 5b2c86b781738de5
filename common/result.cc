#include "common/result.h"

#include <string.h>

namespace fauxroot {

std::string Error::message() const {
  if (errno_ == 0) return what_;
  return what_ + ": " + ErrnoName(errno_) + " (" + strerrordesc_np(errno_) + ")";
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? std::string(name) : "E" + std::to_string(err);
}

}  // namespace fauxroot
