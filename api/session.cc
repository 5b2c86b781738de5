#include "fauxroot/session.h"

#include <errno.h>
#include <fcntl.h>
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
  auto drain = [](int fd, std::string* sink) {
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) sink->append(buffer, static_cast<size_t>(n));
    close(fd);
  };
  // Output is small (a digest, messages); read stdout then stderr.
  drain(out[0], &result.out);
  drain(err[0], &result.err);
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
