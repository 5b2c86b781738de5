#include "supervisor/root_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fauxroot {
namespace {

UniqueFd OpenDir(const char* path) {
  return UniqueFd(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

// A child that sleeps until killed.
struct Child {
  Child() {
    pid = fork();
    if (pid == 0) {
      pause();
      _exit(0);
    }
  }
  ~Child() { Kill(); }
  void Kill() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
  pid_t pid;
};

TEST(RootCacheTest, KeepsALiveTasksRootAndDropsItWhenTheTaskExits) {
  RootCache cache;
  Child child;
  EXPECT_EQ(cache.Find(child.pid), -1);
  cache.Insert(child.pid, OpenDir("/"));
  int root = cache.Find(child.pid);
  ASSERT_GE(root, 0);
  struct stat cached, real;
  ASSERT_EQ(fstat(root, &cached), 0);
  ASSERT_EQ(stat("/", &real), 0);
  EXPECT_EQ(cached.st_ino, real.st_ino);
  const pid_t tid = child.pid;
  child.Kill();
  // The tid may now belong to another task: the entry must not answer.
  EXPECT_EQ(cache.Find(tid), -1);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RootCacheTest, NeverKeepsARootInProc) {
  RootCache cache;
  cache.Insert(getpid(), OpenDir("/proc"));
  EXPECT_EQ(cache.Find(getpid()), -1);
}

TEST(RootCacheTest, ARootChangeEmptiesItUntilTheChangingTaskIsSeenAgain) {
  RootCache cache;
  Child changer, other;
  cache.Insert(other.pid, OpenDir("/"));
  cache.RootsMayChange(changer.pid);
  EXPECT_EQ(cache.Find(other.pid), -1);
  // While the change may be running, nothing is stored or answered.
  cache.Insert(other.pid, OpenDir("/"));
  EXPECT_EQ(cache.Find(other.pid), -1);
  cache.Seen(other.pid);
  EXPECT_EQ(cache.Find(other.pid), -1);
  cache.Seen(changer.pid);  // its call has returned
  cache.Insert(other.pid, OpenDir("/"));
  EXPECT_GE(cache.Find(other.pid), 0);
}

TEST(RootCacheTest, AChangingTaskThatExitsEndsTheChange) {
  RootCache cache;
  Child changer, other;
  cache.RootsMayChange(changer.pid);
  changer.Kill();
  cache.Seen(other.pid);
  cache.Insert(other.pid, OpenDir("/"));
  EXPECT_GE(cache.Find(other.pid), 0);
}

TEST(RootCacheTest, AFullCacheSweepsOutTheDead) {
  RootCache cache;
  Child alive;
  cache.Insert(alive.pid, OpenDir("/"));
  for (size_t i = 1; i < RootCache::kCapacity; ++i) {
    Child dead;
    cache.Insert(dead.pid, OpenDir("/"));
    dead.Kill();
  }
  EXPECT_EQ(cache.size(), RootCache::kCapacity);
  Child next;
  cache.Insert(next.pid, OpenDir("/"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_GE(cache.Find(alive.pid), 0);
  EXPECT_GE(cache.Find(next.pid), 0);
}

}  // namespace
}  // namespace fauxroot
