#include "supervisor/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/linux_compat.h"
#include "common/log.h"

namespace fauxroot {
namespace {

constexpr uint64_t kMaxForeignWarnings = 20;

}  // namespace

Response Supervisor::Answer(const struct seccomp_notif& notif) {
  const bool native = notif.data.arch == NativeAuditArch() && !(notif.data.nr & __X32_SYSCALL_BIT);
  if (!native) {
    // Foreign ABIs are refused, loudly, rather than passed with unfaked results.
    ++stats_.foreign_abi;
    if (warned_foreign_++ < kMaxForeignWarnings) {
      Log(LogLevel::kWarning, "pid %u: %s is not emulated for this ABI; failing it with ENOSYS",
          notif.pid, SyscallName(notif.data.arch, notif.data.nr).c_str());
    }
    return Response::Errno(ENOSYS);
  }
  Handler handler = table_->Lookup(notif.data.nr);
  if (handler == Handler::kNone) return Response::Continue();
  return Dispatch(handler, ctx_, notif);
}

Result<void> Supervisor::HandleOne() {
  struct seccomp_notif notif;
  auto received = ctx_.channel->Receive(&notif);
  if (!received) return std::unexpected(received.error());
  if (*received != ReceiveStatus::kOk) return {};
  ++stats_.notifications;
  if (ctx_.handles != nullptr) ctx_.handles->Seen(static_cast<pid_t>(notif.pid));
  // With profiling on, the time the answer took, from receive to decision (the
  // send is left out: with SYNC_WAKE_UP it may switch to the target at once), is
  // charged to its syscall. The monotonic clock is read in the vDSO (20 ns); a
  // thread CPU clock would be a syscall (400 ns here).
  SupervisorStats::PerSyscall* slot = nullptr;
  struct timespec start {};
  if (profiling_ && notif.data.arch == NativeAuditArch() && notif.data.nr >= 0 &&
      static_cast<size_t>(notif.data.nr) < stats_.by_syscall.size()) {
    slot = &stats_.by_syscall[static_cast<size_t>(notif.data.nr)];
    clock_gettime(CLOCK_MONOTONIC, &start);
  }
  Response response = Answer(notif);
  if (slot != nullptr) {
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    ++slot->count;
    slot->nanoseconds += static_cast<uint64_t>((end.tv_sec - start.tv_sec) * 1000000000LL +
                                               (end.tv_nsec - start.tv_nsec));
  }
  if (LogEnabled(LogLevel::kDebug)) {
    Log(LogLevel::kDebug, "pid %u %s -> %s %lld", notif.pid,
        SyscallName(notif.data.arch, notif.data.nr).c_str(),
        response.kind == Response::Kind::kContinue ? "continue"
        : response.kind == Response::Kind::kReturn ? "return"
        : response.kind == Response::Kind::kErrno  ? "errno"
        : response.kind == Response::Kind::kSent   ? "sent"
                                                   : "gone",
        static_cast<long long>(response.value));
  }
  if (response.kind == Response::Kind::kSent) return {};
  if (response.kind == Response::Kind::kNone) {
    ++stats_.gone;
    return {};
  }
  struct seccomp_notif_resp resp {};
  resp.id = notif.id;
  switch (response.kind) {
    case Response::Kind::kContinue:
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      break;
    case Response::Kind::kReturn:
      resp.val = response.value;
      break;
    case Response::Kind::kErrno:
      resp.error = -static_cast<int32_t>(response.value);
      break;
    case Response::Kind::kSent:
    case Response::Kind::kNone:
      break;
  }
  auto sent = ctx_.channel->Send(resp);
  if (!sent) return std::unexpected(sent.error());
  if (*sent == SendStatus::kTargetGone) ++stats_.gone;
  return {};
}

Result<int> Supervisor::Run(pid_t init_pid, int init_pidfd, int signal_fd, int control_fd,
                            const std::function<void()>& on_control) {
  enum { kListener, kInit, kSignals, kTaskExits, kControl, kCount };
  struct pollfd fds[kCount] = {{ctx_.channel->fd(), POLLIN, 0},
                               {init_pidfd, POLLIN, 0},
                               {signal_fd, POLLIN, 0},
                               {ctx_.tasks->exit_fd(), POLLIN, 0},
                               {control_fd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, kCount, -1) < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll");
    }
    // Exits first: a tid freed by an exit may already belong to the task of
    // the next notification.
    if (fds[kTaskExits].revents & POLLIN) ctx_.tasks->DropExited();
    if (fds[kListener].revents & POLLIN) {
      if (auto handled = HandleOne(); !handled) return std::unexpected(handled.error());
    } else if (fds[kListener].revents & (POLLHUP | POLLERR)) {
      // Every filtered task is gone; the step's init may still be finishing.
      fds[kListener].fd = -1;
    }
    if (fds[kControl].revents & (POLLIN | POLLHUP)) {
      // The command's exec (itself a trapped call) has succeeded or failed.
      on_control();
      fds[kControl].fd = -1;
    }
    if (fds[kSignals].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGCHLD) continue;  // the pidfd reports init's exit
        if (info.ssi_code == SI_USER || info.ssi_code == SI_QUEUE) {
          kill(init_pid, static_cast<int>(info.ssi_signo));
        }
      }
    }
    if (fds[kInit].revents & POLLIN) {
      siginfo_t info{};
      if (waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(init_pidfd), &info, WEXITED) !=
          0) {
        return ErrnoError("waitid for the build step");
      }
      return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
    }
  }
}

}  // namespace fauxroot
