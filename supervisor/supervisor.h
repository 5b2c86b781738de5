// Supervisor: answers the build step's trapped syscalls until the step ends.
//
// One thread. It polls the listener, the step's pidfd and a signalfd:
// - a notification is received, dispatched through the syscall table and
//   answered (threads blocked in RECV all wake for every notification, so more
//   threads would cost more than they give);
// - SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to fauxroot by kill(2) are
//   forwarded to the step's init, which relays them to the command; the same
//   signals from a terminal already reach the step's processes directly;
// - when the pidfd becomes readable the step's init has exited; waitid gives
//   the status (POLLHUP on the listener can come before the step's exit).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>

#include "common/result.h"
#include "common/unique_fd.h"
#include "supervisor/handlers/handler.h"
#include "supervisor/syscall_table.h"

namespace fauxroot {

struct SupervisorStats {
  uint64_t notifications = 0;
  uint64_t foreign_abi = 0;  // refused with ENOSYS
  uint64_t gone = 0;         // targets that vanished before the answer
  // With profiling on: per native syscall number, the notifications and the
  // time the supervisor took to answer them (receive to decision, wall clock),
  // for `fauxroot -v run`. A handler that sends its own answer (a created file
  // handed over with ADDFD) is charged until it returns, which may include the
  // target's run after the wake-up.
  struct PerSyscall {
    uint64_t count = 0;
    uint64_t nanoseconds = 0;
  };
  std::array<PerSyscall, 512> by_syscall{};
};

class Supervisor {
 public:
  Supervisor(const SyscallTable* table, HandlerContext ctx) : table_(table), ctx_(ctx) {}

  // Receives and answers one notification; returns without one on kRetry.
  Result<void> HandleOne();

  // The loop: runs until the step's init (`init_pidfd`) exits and returns its exit
  // code (128+N when killed by signal N). `signal_fd` is a signalfd for the
  // forwarded signals; they go to `init_pid`. When `control_fd` (the step's
  // control socket) becomes readable, `on_control` runs once.
  Result<int> Run(pid_t init_pid, int init_pidfd, int signal_fd, int control_fd,
                  const std::function<void()>& on_control);

  const SupervisorStats& stats() const { return stats_; }
  // Fills stats().by_syscall (two clock reads per notification).
  void set_profiling(bool on) { profiling_ = on; }

 private:
  Response Answer(const struct seccomp_notif& notif);

  const SyscallTable* table_;
  HandlerContext ctx_;
  SupervisorStats stats_;
  uint64_t warned_foreign_ = 0;
  bool profiling_ = false;
};

}  // namespace fauxroot
