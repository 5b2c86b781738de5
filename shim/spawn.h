// Starting the build step: the in-namespace side of fauxroot.
//
//   supervisor --clone3(NEWNS|NEWPID, PIDFD)--> init (pid 1 of the new pid namespace)
//                                                 mounts: / private, fresh /proc,
//                                                 or the --root setup and chroot
//                                                 forks the command, reaps orphans,
//                                                 relays the supervisor's signals,
//                                                 exits with the command's status
//                                               command: restores signals and umask,
//                                                 installs the filter, sends the
//                                                 listener fd, waits for "go", execs
//
// The user namespace is the supervisor's (shim/user_namespace.h). The listener
// exists only in the command process until it is sent; init never holds it, and
// it is close-on-exec, so the supervisor ends up with the only copy: when the
// supervisor dies, trapped calls fail with ENOSYS instead of hanging. init also
// has PR_SET_PDEATHSIG(SIGKILL), so a dead supervisor ends the whole step.
#pragma once

#include <linux/filter.h>
#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "shim/rootfs.h"

namespace fauxroot {

struct SpawnOptions {
  std::vector<std::string> argv;  // the command; argv[0] is looked up in PATH
  RootOptions root;               // --root and --bind
  std::vector<std::string> env;   // NAME=VALUE set for the command
  std::string workdir;            // the command's working directory, if any
  std::vector<struct sock_filter> filter;
  sigset_t original_mask;  // restored in the command before exec
  mode_t original_umask = 022;
};

struct SpawnedStep {
  pid_t init_pid = -1;
  UniqueFd init_pidfd;
  UniqueFd control;  // the supervisor's end of the control socket
};

// Starts init and the command. Call with the forwarded signals and SIGCHLD
// blocked, so that none is lost before the supervisor's signalfd exists.
Result<SpawnedStep> SpawnStep(const SpawnOptions& options);

// The control protocol, on a SOCK_SEQPACKET socketpair.
enum class ControlMessage : char {
  kListener = 'L',    // command -> supervisor: the listener fd (SCM_RIGHTS), then a flags byte
  kGo = 'G',          // supervisor -> command: exec now
  kAbort = 'A',       // supervisor -> command: exit without exec
  kExecFailed = 'E',  // command -> supervisor: an int errno
  kSetupFailed = 'F'  // init or command -> supervisor: an int errno and a message
};

// Receives the listener fd from the command. `wait_killable` tells whether
// WAIT_KILLABLE_RECV is in force. Fails with the step's own message when it
// could not set up.
Result<UniqueFd> ReceiveListener(int control, bool* wait_killable);

// Sends kGo or kAbort.
Result<void> SendControl(int control, ControlMessage message);

// After kGo, once `control` is readable: returns 0 when the exec succeeded (the
// socket closed) or the errno of a failed exec. The exec is itself a trapped
// call, so wait for readability in the supervisor's loop, never block here.
int ReadExecResult(int control);

}  // namespace fauxroot
