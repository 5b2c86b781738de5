// PathBuffer: a path of at most PATH_MAX bytes (with its NUL) in fixed storage,
// so that the notification path never allocates to hold one.
#pragma once

#include <limits.h>

#include <boost/container/static_vector.hpp>
#include <string_view>

namespace fauxroot {

class PathBuffer {
 public:
  PathBuffer() { clear(); }
  void clear() {
    chars_.clear();
    chars_.push_back('\0');
  }
  // Replaces the contents; `text` must be shorter than PATH_MAX.
  void assign(std::string_view text) {
    chars_.assign(text.begin(), text.end());
    chars_.push_back('\0');
  }
  const char* c_str() const { return chars_.data(); }
  std::string_view view() const { return {chars_.data(), chars_.size() - 1}; }
  size_t size() const { return chars_.size() - 1; }
  bool empty() const { return size() == 0; }

 private:
  boost::container::static_vector<char, PATH_MAX> chars_;
};

}  // namespace fauxroot
