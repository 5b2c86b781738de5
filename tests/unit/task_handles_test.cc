#include "supervisor/task_handles.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fauxroot {
namespace {

UniqueFd OpenDir(const char* path) {
  return UniqueFd(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

// A child that sleeps until killed; `ready` when it has run `setup`.
struct Child {
  explicit Child(void (*setup)() = nullptr) {
    int fds[2];
    if (pipe(fds) != 0) abort();
    pid = fork();
    if (pid == 0) {
      if (setup != nullptr) setup();
      close(fds[1]);
      pause();
      _exit(0);
    }
    close(fds[1]);
    char byte;
    ready = read(fds[0], &byte, 1) == 0;
    close(fds[0]);
  }
  ~Child() { Kill(); }
  void Kill() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
  pid_t pid;
  bool ready = false;
};

// The child's fd 40: /proc/self/status read 5 bytes into, so its offset is 5.
constexpr int kChildFd = 40;
void OpenStatusAt40() {
  int fd = open("/proc/self/status", O_RDONLY);
  char buffer[5];
  if (fd < 0 || dup2(fd, kChildFd) != kChildFd || read(kChildFd, buffer, 5) != 5) abort();
}

TEST(TaskHandlesTest, KeepsALiveTasksRootAndDropsItWhenTheTaskExits) {
  TaskHandles handles;
  Child child;
  EXPECT_EQ(handles.FindRoot(child.pid), -1);
  handles.InsertRoot(child.pid, OpenDir("/"));
  int root = handles.FindRoot(child.pid);
  ASSERT_GE(root, 0);
  struct stat cached, real;
  ASSERT_EQ(fstat(root, &cached), 0);
  ASSERT_EQ(stat("/", &real), 0);
  EXPECT_EQ(cached.st_ino, real.st_ino);
  const pid_t tid = child.pid;
  child.Kill();
  // The tid may now belong to another task: the entry must not answer.
  EXPECT_EQ(handles.FindRoot(tid), -1);
  EXPECT_EQ(handles.size(), 0u);
}

TEST(TaskHandlesTest, NeverKeepsARootInProc) {
  TaskHandles handles;
  handles.InsertRoot(getpid(), OpenDir("/proc"));
  EXPECT_EQ(handles.FindRoot(getpid()), -1);
}

TEST(TaskHandlesTest, ARootChangeEmptiesItUntilTheChangingTaskIsSeenAgain) {
  TaskHandles handles;
  Child changer, other;
  handles.InsertRoot(other.pid, OpenDir("/"));
  handles.RootsMayChange(changer.pid);
  EXPECT_EQ(handles.FindRoot(other.pid), -1);
  // While the change may be running, nothing is stored or answered.
  handles.InsertRoot(other.pid, OpenDir("/"));
  EXPECT_EQ(handles.FindRoot(other.pid), -1);
  handles.Seen(other.pid);
  EXPECT_EQ(handles.FindRoot(other.pid), -1);
  handles.Seen(changer.pid);  // its call has returned
  handles.InsertRoot(other.pid, OpenDir("/"));
  EXPECT_GE(handles.FindRoot(other.pid), 0);
}

TEST(TaskHandlesTest, AChangingTaskThatExitsEndsTheChange) {
  TaskHandles handles;
  Child changer, other;
  handles.RootsMayChange(changer.pid);
  changer.Kill();
  handles.Seen(other.pid);
  handles.InsertRoot(other.pid, OpenDir("/"));
  EXPECT_GE(handles.FindRoot(other.pid), 0);
}

TEST(TaskHandlesTest, AFullCacheSweepsOutTheDead) {
  TaskHandles handles;
  Child alive;
  handles.InsertRoot(alive.pid, OpenDir("/"));
  for (size_t i = 1; i < TaskHandles::kCapacity; ++i) {
    Child dead;
    handles.InsertRoot(dead.pid, OpenDir("/"));
    dead.Kill();
  }
  EXPECT_EQ(handles.size(), TaskHandles::kCapacity);
  Child next;
  handles.InsertRoot(next.pid, OpenDir("/"));
  EXPECT_EQ(handles.size(), 2u);
  EXPECT_GE(handles.FindRoot(alive.pid), 0);
  EXPECT_GE(handles.FindRoot(next.pid), 0);
}

TEST(TaskHandlesTest, DupFdSharesTheTasksOpenFile) {
  TaskHandles handles;
  Child child(OpenStatusAt40);
  ASSERT_TRUE(child.ready);
  auto copy = handles.DupFd(child.pid, kChildFd);
  ASSERT_TRUE(copy) << strerror(copy.error());
  // The same open file description: the child's offset, not a new open's.
  EXPECT_EQ(lseek(copy->get(), 0, SEEK_CUR), 5);
  struct stat copied, expected;
  ASSERT_EQ(fstat(copy->get(), &copied), 0);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", child.pid);
  ASSERT_EQ(stat(path, &expected), 0);
  EXPECT_EQ(copied.st_ino, expected.st_ino);
  // An fd the task does not have is EBADF, as the kernel tells the task.
  auto missing = handles.DupFd(child.pid, kChildFd + 1);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), EBADF);
}

TEST(TaskHandlesTest, DupFdOfAGoneTaskIsEsrchAndForgetsIt) {
  TaskHandles handles;
  Child child(OpenStatusAt40);
  ASSERT_TRUE(child.ready);
  ASSERT_TRUE(handles.DupFd(child.pid, kChildFd));
  EXPECT_EQ(handles.size(), 1u);
  const pid_t tid = child.pid;
  child.Kill();
  auto gone = handles.DupFd(tid, kChildFd);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error(), ESRCH);
  EXPECT_EQ(handles.size(), 0u);
}

TEST(TaskHandlesTest, ARootChangeKeepsThePidfds) {
  TaskHandles handles;
  Child changer, other(OpenStatusAt40);
  ASSERT_TRUE(other.ready);
  handles.InsertRoot(other.pid, OpenDir("/"));
  handles.RootsMayChange(changer.pid);
  EXPECT_EQ(handles.FindRoot(other.pid), -1);
  EXPECT_TRUE(handles.DupFd(other.pid, kChildFd));
}

}  // namespace
}  // namespace fauxroot
