#include "fauxroot/session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "cli/image_command.h"
#include "cli/run_command.h"

namespace fauxroot {
namespace {

struct ChildResult {
  int status = 1;
  std::string out, err;
};

// Runs `body` in a child whose stdout and stderr are captured; returns its exit
// status (128+N for signal N).
ChildResult InChild(const std::function<int()>& body) {
  ChildResult result;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    result.err = std::string("pipe: ") + strerror(errno);
    return result;
  }
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    result.err = std::string("fork: ") + strerror(errno);
    return result;
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    int code = body();
    fflush(nullptr);
    _exit(code);
  }
  close(out[1]);
  close(err[1]);
  // Both pipes at once: a child that fills one while we wait on the other must not block.
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  for (int open_count = 2; open_count > 0;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (const struct pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void Report(const ChildResult& child, SessionError* error) {
  if (error == nullptr) return;
  error->exit_code = child.status;
  error->message = child.err;
}

ImageCommandOptions ImageOptions(const std::string& db_dir, const std::string& rootfs) {
  ImageCommandOptions options;
  options.db_dir = db_dir;
  options.rootfs = rootfs;
  return options;
}

}  // namespace

std::unique_ptr<Session> Session::Open(std::string db_dir) {
  return std::unique_ptr<Session>(new Session(std::move(db_dir)));
}

int Session::Run(const StepOptions& step, SessionError* error) {
  RunOptions options;
  options.db_dir = db_dir_;
  options.root = step.root;
  options.binds = step.binds;
  options.env = step.env;
  options.workdir = step.workdir;
  options.command = step.command;
  // The step's own output goes where the caller's goes: no capture.
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    if (error != nullptr) *error = {125, std::string("fork: ") + strerror(errno)};
    return 125;
  }
  if (pid == 0) _exit(RunCommand(options));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code == 125 && error != nullptr) *error = {125, "fauxroot failed to run the step"};
  return code;
}

bool Session::Commit(const std::string& rootfs, SessionError* error) {
  ChildResult child = InChild([&] { return CommitCommand(ImageOptions(db_dir_, rootfs)); });
  if (child.status != 0) Report(child, error);
  return child.status == 0;
}

std::optional<std::string> Session::Export(const ExportSpec& spec, SessionError* error) {
  ImageCommandOptions options = ImageOptions(db_dir_, spec.rootfs);
  options.tar = spec.tar;
  options.oci = spec.oci;
  options.compression = spec.compression;
  if (spec.source_date_epoch) options.source_date_epoch = *spec.source_date_epoch;
  options.config = spec.config;
  ChildResult child = InChild([&] { return ExportCommand(options); });
  if (child.status != 0) {
    Report(child, error);
    return std::nullopt;
  }
  std::string digest = child.out;
  while (!digest.empty() && digest.back() == '\n') digest.pop_back();
  return digest;
}

}  // namespace fauxroot
