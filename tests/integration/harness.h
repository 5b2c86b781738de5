// Helpers for integration tests: run processes (as root or as uid 65534),
// scratch directories, and the fauxroot binary placed where 65534 can run it.
//
// CI runs as root. The tests use that: real root is the oracle, run natively in
// one directory, and fauxroot runs the same script as the unprivileged uid
// 65534 in another. Tests that need root for the oracle skip with the reason
// when run by anyone else.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fauxroot::testing {

inline constexpr uid_t kNobody = 65534;

struct ProcessResult {
  int status = -1;  // exit code, 128+N for signal N, -1 on timeout
  std::string out;
  std::string err;
};

struct RunSpec {
  std::optional<uid_t> as_user;  // run through setpriv as this uid and gid
  std::string cwd;
  int timeout_seconds = 300;
  std::vector<std::string> env;  // extra NAME=VALUE entries
  // Called with the pid of the started process (setpriv execs in place, so with
  // as_user this is the pid of the command itself).
  std::function<void(pid_t)> on_start;
};

ProcessResult RunProcess(const std::vector<std::string>& argv, const RunSpec& spec = {});

// `sh -c SCRIPT` natively.
ProcessResult RunShell(const std::string& script, const RunSpec& spec = {});
// `fauxroot run [--db DB] -- sh -c SCRIPT`, as uid 65534 unless spec says otherwise.
ProcessResult RunUnderFauxroot(const std::string& script, RunSpec spec, const std::string& db = "");

// A copy of the fauxroot binary (and try_syscall) in a directory that every
// user may read, since the build tree may not be.
const std::string& FauxrootBinary();
const std::string& TrySyscallBinary();

bool IsRoot();

// A copy of a helper binary where every user may run it.
std::string PublicCopy(const char* source, const char* name);

// A fresh directory under /tmp, owned by `owner`, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(uid_t owner = 0);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

// Compares two listings line by line as sets (order ignored): empty when they
// hold the same lines, else how many lines each side alone has and up to 40
// of each.
std::string ListingDifference(const std::string& expected, const std::string& got);

// Listings of the current directory by four independent readers: GNU stat
// (statx), ls (statx), find (newfstatat) and a static busybox (stat/lstat
// without glibc), then `stat -L` of ./a-symlink. Times are left out.
extern const char kListings[];

// Runs `script` natively as root in one directory and under fauxroot as uid
// 65534 in another, and expects the same output. `setup`, if given, runs
// natively as root in both directories first (for files the script needs).
void ExpectSameAsRoot(const std::string& script, const std::string& setup = "");

}  // namespace fauxroot::testing
