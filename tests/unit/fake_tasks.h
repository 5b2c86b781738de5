// Task sources for tests: NoTasks knows no task (every lookup fails, so every
// task has root's credentials until it changes them); FakeTasks is a scripted
// process tree.
#pragma once

#include <errno.h>

#include <map>

#include "supervisor/task_table.h"

namespace fauxroot {

class NoTasks final : public TaskSource {
 public:
  Expected<Ids> Lookup(pid_t) override { return std::unexpected(ESRCH); }
  std::vector<pid_t> ChildrenOf(pid_t) override { return {}; }
  UniqueFd WatchExit(pid_t) override { return UniqueFd(); }
};

class FakeTasks final : public TaskSource {
 public:
  // A process (tgid == tid) or a thread of `tgid`.
  void Add(pid_t tid, pid_t tgid, pid_t ppid) { tasks_[tid] = {tgid, ppid}; }
  void Remove(pid_t tid) { tasks_.erase(tid); }
  Expected<Ids> Lookup(pid_t tid) override {
    auto it = tasks_.find(tid);
    if (it == tasks_.end()) return std::unexpected(ESRCH);
    return Ids{it->second.first, it->second.second, UniqueFd()};
  }
  std::vector<pid_t> ChildrenOf(pid_t tgid) override {
    std::vector<pid_t> children;
    for (const auto& [tid, ids] : tasks_) {
      if (ids.first == tid && ids.second == tgid) children.push_back(tid);
    }
    return children;
  }
  UniqueFd WatchExit(pid_t) override { return UniqueFd(); }

 private:
  std::map<pid_t, std::pair<pid_t, pid_t>> tasks_;  // tid: tgid, ppid
};

}  // namespace fauxroot
