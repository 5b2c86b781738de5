// RootCache: each task's root directory, kept open between its calls, so that
// an absolute path does not cost an open of the magic link /proc/TID/root
// (about 3 us: a ptrace access check and a /proc walk) on every call.
//
// An entry is right while its task lives and its root does not change:
// - Task identity: each entry holds a pidfd of its task. A hit is used only if
//   that task is still alive; the caller of a notification is alive, and a live
//   task's tid is not reused, so the entry is the caller's. Dead entries are
//   dropped on a miss and swept when the cache is full.
// - Root changes: the filter traps the calls that change a root (chroot,
//   pivot_root, setns, unshare(CLONE_NEWNS)); the supervisor reports each with
//   RootsMayChange before letting it run. That empties the cache, and until the
//   calling task is next seen in a notification (so its call has completed) or
//   has exited, the cache neither answers nor stores: a thread sharing the
//   caller's root with CLONE_FS gets it from /proc while it may be changing.
#pragma once

#include <sys/types.h>

#include <boost/container/flat_map.hpp>
#include <boost/container/small_vector.hpp>

#include "common/unique_fd.h"

namespace fauxroot {

class RootCache {
 public:
  // Entries kept at most; a full cache sweeps out the dead, then starts over.
  static constexpr size_t kCapacity = 128;

  // The root of task `tid` (borrowed: valid until the next call that changes
  // the cache), or -1 when it is not known.
  int Find(pid_t tid);
  // Keeps `root` as the root of task `tid`, which is in a call now. Only roots
  // outside /proc are kept (callers rely on it: see PathResolver::Resolve).
  void Insert(pid_t tid, const UniqueFd& root);
  // Task `tid` is about to run a call that may change roots.
  void RootsMayChange(pid_t tid);
  // Task `tid` is in a trapped call now: any earlier call of it has completed.
  void Seen(pid_t tid) {
    if (!changing_.empty()) SeenWhileChanging(tid);
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    UniqueFd root;
    UniqueFd pidfd;
  };
  void SeenWhileChanging(pid_t tid);
  void Sweep();

  boost::container::flat_map<pid_t, Entry> entries_;
  // Tasks whose root-changing call may not have completed yet, with their pidfds.
  boost::container::small_vector<std::pair<pid_t, UniqueFd>, 2> changing_;
};

}  // namespace fauxroot
