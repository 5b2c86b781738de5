#include "shim/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/linux_compat.h"
#include "shim/filter.h"

namespace fauxroot {
namespace {

// A message of `size` bytes at `data` with room for one fd (SCM_RIGHTS).
struct FdMessage {
  FdMessage(void* data, size_t size) : iov{data, size} {
    header.msg_iov = &iov;
    header.msg_iovlen = 1;
    header.msg_control = control.buffer;
    header.msg_controllen = sizeof control.buffer;
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;
  struct iovec iov;
  struct {
    alignas(struct cmsghdr) char buffer[CMSG_SPACE(sizeof(int))];
  } control{};
  struct msghdr header {};
};

// --- in the children: only async-signal-safe work and _exit, no exceptions ---

void SendSetupFailure(int control, int err, const char* what) {
  char message[512];
  message[0] = static_cast<char>(ControlMessage::kSetupFailed);
  memcpy(message + 1, &err, sizeof err);
  size_t len = strnlen(what, sizeof message - 1 - sizeof err);
  memcpy(message + 1 + sizeof err, what, len);
  (void)send(control, message, 1 + sizeof err + len, MSG_NOSIGNAL);
}

[[noreturn]] void Fail(int control, const char* what) {
  SendSetupFailure(control, errno, what);
  _exit(125);
}

Result<void> SendListener(int control, int listener, bool wait_killable) {
  char data[2] = {static_cast<char>(ControlMessage::kListener), wait_killable ? '1' : '0'};
  FdMessage message(data, sizeof data);
  struct msghdr& msg = message.header;
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &listener, sizeof listener);
  if (sendmsg(control, &msg, MSG_NOSIGNAL) < 0) return ErrnoError("send listener");
  return {};
}

[[noreturn]] void CommandMain(const SpawnOptions& options, int control) {
  // The command starts with the signal state and umask fauxroot was started with.
  sigprocmask(SIG_SETMASK, &options.original_mask, nullptr);
  umask(options.original_umask);

  // No NO_NEW_PRIVS: the command is root in its user namespace and holds
  // CAP_SYS_ADMIN there, which is enough to install a filter; and setting it
  // would make sudo and other set-id programs refuse to run.
  auto filter = InstallFilter(options.filter);
  if (!filter) {
    errno = filter.error().errno_value();
    Fail(control, filter.error().context().c_str());
  }
  if (!SendListener(control, filter->listener.get(), filter->wait_killable)) {
    Fail(control, "send the listener to the supervisor");
  }
  filter->listener.reset();

  char go = 0;
  ssize_t n;
  do n = read(control, &go, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1 || go != static_cast<char>(ControlMessage::kGo)) _exit(125);

  for (const std::string& entry : options.env) putenv(const_cast<char*>(entry.c_str()));
  if (!options.workdir.empty() && chdir(options.workdir.c_str()) != 0) {
    int err = errno;
    char message[1 + sizeof err];
    message[0] = static_cast<char>(ControlMessage::kExecFailed);
    memcpy(message + 1, &err, sizeof err);
    (void)send(control, message, sizeof message, MSG_NOSIGNAL);
    _exit(125);
  }
  std::vector<char*> argv;
  for (const std::string& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  int err = errno;
  char message[1 + sizeof err];
  message[0] = static_cast<char>(ControlMessage::kExecFailed);
  memcpy(message + 1, &err, sizeof err);
  (void)send(control, message, sizeof message, MSG_NOSIGNAL);
  _exit(err == ENOENT ? 127 : 126);
}

[[noreturn]] void InitMain(const SpawnOptions& options, int control) {
  // Die with the supervisor: a step whose supervisor is gone would run on with
  // its chowns failing (ENOSYS); end it instead.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "fauxroot-init");

  // Our mounts must not propagate back to the parent namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    Fail(control, "make the mount namespace private");
  }
  if (!options.root.root.empty()) {
    if (auto set_up = SetUpRoot(options.root); !set_up) {
      errno = set_up.error().errno_value();
      Fail(control, set_up.error().context().c_str());
    }
  } else if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    // A /proc of the new pid namespace, so that /proc/self and ps see the step.
    Fail(control, "mount /proc for the new pid namespace");
  }

  pid_t command = fork();
  if (command < 0) Fail(control, "fork the command");
  if (command == 0) CommandMain(options, control);
  close(control);

  // Reap everything; relay the signals the supervisor forwards (SI_USER from
  // outside the namespace) to the command. Signals from a terminal reach every
  // process of the foreground group by themselves.
  sigset_t wait_set;
  sigemptyset(&wait_set);
  for (int sig : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&wait_set, sig);
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&wait_set, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      if (info.si_code == SI_USER || info.si_code == SI_QUEUE) kill(command, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != command) continue;
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
  }
}

}  // namespace

Result<SpawnedStep> SpawnStep(const SpawnOptions& options) {
  if (options.argv.empty()) return MakeError(EINVAL, "no command to run");
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return ErrnoError("socketpair");
  }
  UniqueFd ours(pair[0]), theirs(pair[1]);

  int pidfd = -1;
  struct clone_args args {};
  args.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    return ErrnoError("clone3 (new mount and pid namespaces) for the build step");
  }
  if (pid == 0) {
    ours.release();  // not closed: the child must not run destructors; CLOEXEC covers exec
    InitMain(options, theirs.get());
  }
  SpawnedStep step;
  step.init_pid = static_cast<pid_t>(pid);
  step.init_pidfd.reset(pidfd);
  step.control = std::move(ours);
  return step;
}

Result<UniqueFd> ReceiveListener(int control, bool* wait_killable) {
  char data[512];
  FdMessage message(data, sizeof data);
  struct msghdr& msg = message.header;
  ssize_t n;
  do n = recvmsg(control, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError("receive the listener from the build step");
  if (n == 0) return MakeError(0, "the build step exited before it was set up");
  if (data[0] == static_cast<char>(ControlMessage::kSetupFailed) &&
      static_cast<size_t>(n) >= 1 + sizeof(int)) {
    int err;
    memcpy(&err, data + 1, sizeof err);
    return MakeError(err,
                     std::string(data + 1 + sizeof err, static_cast<size_t>(n) - 1 - sizeof err));
  }
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (data[0] != static_cast<char>(ControlMessage::kListener) || n != 2 || cmsg == nullptr ||
      cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
    return MakeError(0, "unexpected message from the build step");
  }
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  *wait_killable = data[1] == '1';
  return UniqueFd(fd);
}

Result<void> SendControl(int control, ControlMessage message) {
  char byte = static_cast<char>(message);
  if (send(control, &byte, 1, MSG_NOSIGNAL) != 1) return ErrnoError("tell the build step to start");
  return {};
}

int ReadExecResult(int control) {
  char data[1 + sizeof(int)];
  ssize_t n;
  do n = recv(control, data, sizeof data, 0);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof data) ||
      data[0] != static_cast<char>(ControlMessage::kExecFailed)) {
    return 0;
  }
  int err;
  memcpy(&err, data + 1, sizeof err);
  return err;
}

}  // namespace fauxroot
