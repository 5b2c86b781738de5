// Result<T>: a value or an Error carrying the errno and what was being done.
//
// Our code does not throw. Functions that can fail return Result<T>; the Error
// names the operation and the object ("open /var/lib/x") so that a message
// printed at the edge needs no more context.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

namespace fauxroot {

// Expected<T>: a value or a bare errno, for the supervisor's hot path, where
// the errno is the answer to the target and no message is made.
template <typename T>
using Expected = std::expected<T, int>;

class Error {
 public:
  Error(int err, std::string what) : errno_(err), what_(std::move(what)) {}

  // The errno, or 0 for errors that are not system errors (bad input, corrupt data).
  int errno_value() const { return errno_; }
  // "open /x: ENOENT (No such file or directory)"; just the context when errno is 0.
  std::string message() const;
  const std::string& context() const { return what_; }

 private:
  int errno_;
  std::string what_;
};

template <typename T>
using Result = std::expected<T, Error>;

// An error from the current errno, e.g. `return ErrnoError("open " + path);`.
inline std::unexpected<Error> ErrnoError(std::string what) {
  return std::unexpected(Error(errno, std::move(what)));
}
inline std::unexpected<Error> MakeError(int err, std::string what) {
  return std::unexpected(Error(err, std::move(what)));
}

// "ENOENT" for 2; "E123" for numbers without a name.
std::string ErrnoName(int err);

}  // namespace fauxroot
