// TaskTable: the fake credentials of every task of the build step that needs
// them.
//
// User notification reports no fork, clone, exec or exit, so the table is
// built lazily and kept honest by three rules:
//
// 1. Inheritance on first sight. While every task has root's credentials the
//    table is empty and costs nothing. Once some task has other credentials,
//    a task seen for the first time takes the credentials of its creator: a
//    thread those of its thread group, a process those of its parent process
//    (from /proc/TID/status), recursively. Tasks are only ever created by a
//    clone in a task of the step, so the parent chain ends at a known task or
//    at the step's root-owned init.
// 2. Snapshot before a change. A child inherits its parent's credentials as
//    they were at fork time; the parent may change its own afterwards. So
//    before a task's credentials change, its existing children that the table
//    does not know yet are entered with the old credentials.
// 3. Exit. Every entry holds a pidfd of its task (PIDFD_THREAD, Linux 6.9, for
//    threads) in an epoll set; when the task exits the entry is dropped before
//    the next notification is handled, so a reused tid never inherits it.
//
// Threads of a process normally agree: glibc makes every thread repeat a
// set*id call, and each thread's call updates its own entry.
#pragma once

#include <sys/types.h>

#include <boost/unordered_map.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "supervisor/credentials.h"
#include "supervisor/target_memory.h"

namespace fauxroot {

// Where the table learns about tasks; the tests replace it.
class TaskSource {
 public:
  virtual ~TaskSource() = default;
  struct Ids {
    pid_t tgid;
    pid_t ppid;  // the parent process, 0 when outside the step's view
    // What WatchExit gives, when the lookup had it at hand; else invalid.
    UniqueFd exit_watch;
  };
  virtual Expected<Ids> Lookup(pid_t tid) = 0;
  // The processes whose parent is process `tgid`.
  virtual std::vector<pid_t> ChildrenOf(pid_t tgid) = 0;
  // An fd that becomes readable when task `tid` exits, or an invalid fd.
  virtual UniqueFd WatchExit(pid_t tid) = 0;
};

// The real source: the task's pidfd (PIDFD_GET_INFO, Linux 6.13; the pidfd
// then watches its exit), else /proc/TID/status through the supervisor's /proc.
class ProcTaskSource final : public TaskSource {
 public:
  explicit ProcTaskSource(int proc_fd) : proc_fd_(proc_fd) {}
  Expected<Ids> Lookup(pid_t tid) override;
  std::vector<pid_t> ChildrenOf(pid_t tgid) override;
  UniqueFd WatchExit(pid_t tid) override;

 private:
  int proc_fd_;
};

class TaskTable {
 public:
  static Result<TaskTable> Create(TaskSource* source);

  // The step's init: it and the processes above it are root and never tracked.
  void set_root_pid(pid_t pid) { root_pid_ = pid; }

  // The credentials of `tid` (root's when it needs no entry).
  const Credentials& Get(pid_t tid);
  // Changes the credentials of `tid` with `change`, which returns 0 or an errno
  // and must leave them alone on error; takes the snapshot of rule 2 first.
  int Change(pid_t tid, const std::function<int(Credentials&)>& change);

  // The epoll fd that becomes readable when a tracked task exits; then call
  // DropExited() before handling the next notification.
  int exit_fd() const { return epoll_.get(); }
  void DropExited();

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Credentials creds;
    UniqueFd exit_watch;
  };
  explicit TaskTable(TaskSource* source, UniqueFd epoll)
      : source_(source), epoll_(std::move(epoll)) {}
  Entry* Find(pid_t tid);
  Entry& Materialize(pid_t tid, int depth);
  // `exit_watch`: the task's, when the caller has it.
  Entry& Insert(pid_t tid, const Credentials& creds, UniqueFd exit_watch = UniqueFd());

  TaskSource* source_;
  UniqueFd epoll_;
  boost::unordered_map<pid_t, std::unique_ptr<Entry>> entries_;
  bool active_ = false;  // some task has had other credentials than root's
  pid_t root_pid_ = 0;
  Credentials root_;
};

}  // namespace fauxroot
