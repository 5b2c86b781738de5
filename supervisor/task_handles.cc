#include "supervisor/task_handles.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/pidfd.h"

namespace fauxroot {
namespace {

// A pidfd becomes readable when its task exits.
bool Exited(int pidfd) {
  struct pollfd p = {pidfd, POLLIN, 0};
  return poll(&p, 1, 0) != 0;
}

}  // namespace

TaskHandles::Entry* TaskHandles::Enter(pid_t tid) {
  if (auto it = entries_.find(tid); it != entries_.end()) return &it->second;
  if (entries_.size() >= kCapacity) Sweep();
  UniqueFd pidfd = OpenTaskPidfd(tid);
  if (!pidfd) return nullptr;
  return &entries_.emplace(tid, Entry{std::move(pidfd), UniqueFd()}).first->second;
}

int TaskHandles::FindRoot(pid_t tid) {
  if (!changing_.empty()) return -1;
  auto it = entries_.find(tid);
  if (it == entries_.end() || !it->second.root) return -1;
  if (Exited(it->second.pidfd.get())) {
    entries_.erase(it);  // an earlier task with this tid
    return -1;
  }
  return it->second.root.get();
}

void TaskHandles::InsertRoot(pid_t tid, const UniqueFd& root) {
  if (!changing_.empty() || !root) return;
  struct statfs fs;
  if (fstatfs(root.get(), &fs) != 0 || fs.f_type == PROC_SUPER_MAGIC) return;
  if (auto it = entries_.find(tid); it != entries_.end() && Exited(it->second.pidfd.get())) {
    entries_.erase(it);  // an earlier task with this tid
  }
  Entry* entry = Enter(tid);
  UniqueFd copy(fcntl(root.get(), F_DUPFD_CLOEXEC, 0));
  if (entry == nullptr || !copy) return;
  entry->root = std::move(copy);
}

Expected<UniqueFd> TaskHandles::DupFd(pid_t tid, int fd) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Entry* entry = Enter(tid);
    if (entry == nullptr) return std::unexpected(errno == ESRCH ? ESRCH : ENOSYS);
    long copy = syscall(SYS_pidfd_getfd, entry->pidfd.get(), fd, 0);
    if (copy >= 0) return UniqueFd(static_cast<int>(copy));
    if (errno != ESRCH) return std::unexpected(errno);
    // The entry was an earlier task's with this tid, or the caller is gone.
    entries_.erase(tid);
  }
  return std::unexpected(ESRCH);
}

void TaskHandles::RootsMayChange(pid_t tid) {
  for (auto& [entry_tid, entry] : entries_) entry.root.reset();
  for (auto& [changing_tid, pidfd] : changing_) {
    if (changing_tid == tid) return;
  }
  UniqueFd pidfd = OpenTaskPidfd(tid);
  // Without a pidfd the end of the call cannot be told from an exit: keep the
  // task's entry until it is seen again.
  changing_.emplace_back(tid, std::move(pidfd));
}

void TaskHandles::SeenWhileChanging(pid_t tid) {
  auto done = std::remove_if(
      changing_.begin(), changing_.end(), [tid](const std::pair<pid_t, UniqueFd>& entry) {
        return entry.first == tid || (entry.second && Exited(entry.second.get()));
      });
  changing_.erase(done, changing_.end());
}

void TaskHandles::Sweep() {
  std::vector<struct pollfd> polls;
  polls.reserve(entries_.size());
  for (const auto& [tid, entry] : entries_) polls.push_back({entry.pidfd.get(), POLLIN, 0});
  if (poll(polls.data(), polls.size(), 0) < 0) {
    entries_.clear();
    return;
  }
  size_t i = 0;
  for (auto it = entries_.begin(); it != entries_.end(); ++i) {
    it = polls[i].revents != 0 ? entries_.erase(it) : it + 1;
  }
  // All alive (a build with more running tasks than this): start over.
  if (entries_.size() >= kCapacity) entries_.clear();
}

}  // namespace fauxroot
