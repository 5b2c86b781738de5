// TaskHandles: kernel handles on each task, kept open between its calls, so
// that the common calls do not open magic links under /proc (about 3 us each:
// a ptrace access check and a /proc walk):
// - a pidfd, through which an fd of the task is duplicated (pidfd_getfd(2),
//   about 1 us, for fstat, fchown, fchmod, f*xattr and dirfd-relative paths);
// - the task's root directory, for absolute paths.
//
// An entry is right while its task lives and its root does not change:
// - Task identity: the pidfd names the task the entry was made for. The caller
//   of a notification is alive, and a live task's tid is not reused, so an entry
//   whose task is alive is the caller's. A root is used only after that check
//   (a pidfd poll); a duplication through the pidfd of a dead task fails with
//   ESRCH, and the entry is then made again for the caller. Dead entries are
//   swept when the table is full.
// - Root changes: the filter traps the calls that change a root (chroot,
//   pivot_root, setns, unshare(CLONE_NEWNS)); the supervisor reports each with
//   RootsMayChange before letting it run. That forgets every root, and until the
//   calling task is next seen in a notification (so its call has completed) or
//   has exited, no root is answered or stored: a thread sharing the caller's
//   root with CLONE_FS gets it from /proc while it may be changing.
#pragma once

#include <sys/types.h>

#include <boost/container/flat_map.hpp>
#include <boost/container/small_vector.hpp>

#include "common/result.h"
#include "common/unique_fd.h"

namespace fauxroot {

class TaskHandles {
 public:
  // Entries kept at most; a full table sweeps out the dead, then starts over.
  static constexpr size_t kCapacity = 128;

  // The root of task `tid` (borrowed: valid until the next call that changes
  // the table), or -1 when it is not known.
  int FindRoot(pid_t tid);
  // Keeps `root` as the root of task `tid`, which is in a call now. Only roots
  // outside /proc are kept (callers rely on it: see PathResolver::Resolve).
  void InsertRoot(pid_t tid, const UniqueFd& root);

  // A duplicate of fd `fd` of task `tid`, which is in a call now: the same open
  // file description, so the caller must not read, seek or change its flags.
  // EBADF: `fd` is not open; ESRCH: the task is gone. Any other error (no
  // pidfd_getfd before Linux 5.6, no thread pidfd before 6.9) means: use /proc.
  Expected<UniqueFd> DupFd(pid_t tid, int fd);

  // Task `tid` is about to run a call that may change roots.
  void RootsMayChange(pid_t tid);
  // Task `tid` is in a trapped call now: any earlier call of it has completed.
  void Seen(pid_t tid) {
    if (!changing_.empty()) SeenWhileChanging(tid);
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    UniqueFd pidfd;
    UniqueFd root;  // invalid when not known
  };
  // The entry of `tid`, made (with a new pidfd) when there is none; null when
  // no pidfd can be had.
  Entry* Enter(pid_t tid);
  void SeenWhileChanging(pid_t tid);
  void Sweep();

  boost::container::flat_map<pid_t, Entry> entries_;
  // Tasks whose root-changing call may not have completed yet, with their pidfds.
  boost::container::small_vector<std::pair<pid_t, UniqueFd>, 2> changing_;
};

}  // namespace fauxroot
