#include "tests/integration/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace fauxroot::testing {
namespace {

// A directory every user may read, removed when the test process exits.
class PublicBinDir {
 public:
  PublicBinDir() {
    std::string pattern = "/tmp/fauxroot-bin-XXXXXX";
    path_ = mkdtemp(pattern.data());
    chmod(path_.c_str(), 0755);
  }
  ~PublicBinDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string MakePublicCopy(const char* source, const char* name) {
  static PublicBinDir dir;
  std::string target = dir.path() + "/" + name;
  std::filesystem::copy_file(source, target, std::filesystem::copy_options::overwrite_existing);
  chmod(target.c_str(), 0755);
  return target;
}

int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

bool IsRoot() { return geteuid() == 0; }

std::string PublicCopy(const char* source, const char* name) {
  return MakePublicCopy(source, name);
}

const std::string& FauxrootBinary() {
  static std::string path = MakePublicCopy(FAUXROOT_BINARY, "fauxroot");
  return path;
}

const std::string& TrySyscallBinary() {
  static std::string path = MakePublicCopy(TRY_SYSCALL_BINARY, "try_syscall");
  return path;
}

ProcessResult RunProcess(const std::vector<std::string>& argv_in, const RunSpec& spec) {
  std::vector<std::string> argv;
  if (spec.as_user) {
    std::string id = std::to_string(*spec.as_user);
    argv = {"setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups", "--"};
  }
  argv.insert(argv.end(), argv_in.begin(), argv_in.end());

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) abort();
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(126);
    // A clean, predictable environment for the scripts, which spec.env may change.
    setenv("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", 1);
    setenv("LC_ALL", "C", 1);
    for (const std::string& e : spec.env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spec.on_start) spec.on_start(pid);
  ProcessResult result;
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int64_t deadline = NowMs() + spec.timeout_seconds * 1000LL;
  int open_count = 2;
  bool timed_out = false;
  while (open_count > 0) {
    int64_t left = deadline - NowMs();
    if (left <= 0) {
      timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buffer[65536];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (timed_out) {
    result.status = -1;
  } else {
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return result;
}

ProcessResult RunShell(const std::string& script, const RunSpec& spec) {
  return RunProcess({"/bin/sh", "-c", script}, spec);
}

ProcessResult RunUnderFauxroot(const std::string& script, RunSpec spec, const std::string& db) {
  if (!spec.as_user && IsRoot()) spec.as_user = kNobody;
  std::vector<std::string> argv = {FauxrootBinary(), "run"};
  if (!db.empty()) argv.insert(argv.end(), {"--db", db});
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", script});
  return RunProcess(argv, spec);
}

ScratchDir::ScratchDir(uid_t owner) {
  std::string pattern = "/tmp/fauxroot-it-XXXXXX";
  path_ = mkdtemp(pattern.data());
  chmod(path_.c_str(), 0755);
  if (chown(path_.c_str(), owner, owner) != 0 && owner != geteuid()) abort();
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

const char kListings[] = R"sh(
echo '== stat'; find . -mindepth 1 | sort | while read -r p; do
  stat -c '%n %F %a %u %g %t %T %h %s' "$p"; done
echo '== ls'; ls -ln --time-style=+ . | sed 1d
echo '== find'; find . -mindepth 1 -printf '%p %y %m %U %G %n %l\n' | sort
echo '== busybox'; busybox stat -c '%n %F %a %u %g %t %T %h' $(find . -mindepth 1 | sort)
echo '== stat -L'; stat -L -c '%n %F %u %g' a-symlink
)sh";

void ExpectSameAsRoot(const std::string& script, const std::string& setup) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  ScratchDir native_dir(0), faux_dir(kNobody);
  if (!setup.empty()) {
    for (const ScratchDir* dir : {&native_dir, &faux_dir}) {
      ProcessResult prepared = RunShell(setup, {.cwd = dir->path()});
      ASSERT_EQ(prepared.status, 0) << prepared.err;
    }
    RunShell("chown -R " + std::to_string(kNobody) + ":" + std::to_string(kNobody) + " .",
             {.cwd = faux_dir.path()});
  }
  ProcessResult native = RunShell(script, {.cwd = native_dir.path()});
  ASSERT_EQ(native.status, 0) << native.err;
  ProcessResult faux = RunUnderFauxroot(script, {.cwd = faux_dir.path()});
  ASSERT_EQ(faux.status, 0) << faux.err;
  EXPECT_EQ(faux.out, native.out) << "native stderr:\n"
                                  << native.err << "fauxroot stderr:\n"
                                  << faux.err;
  EXPECT_FALSE(native.out.empty());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ListingDifference(const std::string& expected, const std::string& got) {
  auto lines = [](const std::string& text) {
    std::set<std::string> set;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) set.insert(line);
    return set;
  };
  const std::set<std::string> want = lines(expected), have = lines(got);
  std::vector<std::string> missing, extra;
  std::ranges::set_difference(want, have, std::back_inserter(missing));
  std::ranges::set_difference(have, want, std::back_inserter(extra));
  if (missing.empty() && extra.empty()) return "";
  std::string report = std::to_string(missing.size()) + " lines only in the expected listing, " +
                       std::to_string(extra.size()) + " only in the other:\n";
  for (size_t i = 0; i < missing.size() && i < 40; ++i)
    report += "  expected: " + missing[i] + "\n";
  for (size_t i = 0; i < extra.size() && i < 40; ++i) report += "  got:      " + extra[i] + "\n";
  return report;
}

}  // namespace fauxroot::testing
