#include "supervisor/credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "supervisor/task_table.h"
#include "tests/unit/fake_tasks.h"

namespace fauxroot {
namespace {

TEST(CredentialsTest, RootMaySetAnything) {
  Credentials c;
  EXPECT_EQ(SetResgid(c, 5, 6, 7), 0);
  EXPECT_EQ(c.rgid, 5u);
  EXPECT_EQ(c.egid, 6u);
  EXPECT_EQ(c.sgid, 7u);
  EXPECT_EQ(c.fsgid, 6u);
  gid_t groups[] = {9, 3, 3};
  EXPECT_EQ(SetGroups(c, groups, 3), 0);
  EXPECT_EQ(c.groups, (std::vector<gid_t>{3, 3, 9}));  // sorted, as the kernel keeps them
  EXPECT_EQ(SetUid(c, 42), 0);
  EXPECT_EQ(c.ruid, 42u);
  EXPECT_EQ(c.suid, 42u);
  EXPECT_EQ(c.fsuid, 42u);
  EXPECT_EQ(c.cap_effective, 0u);
  EXPECT_EQ(c.cap_permitted, 0u);
}

TEST(CredentialsTest, AnUnprivilegedSetCannotRegainRoot) {
  Credentials c;
  ASSERT_EQ(SetResgid(c, 42, 42, 42), 0);
  ASSERT_EQ(SetResuid(c, 42, 42, 42), 0);
  EXPECT_EQ(SetUid(c, 0), EPERM);
  EXPECT_EQ(SetReuid(c, kUnchanged, 0), EPERM);
  EXPECT_EQ(SetResuid(c, 0, kUnchanged, kUnchanged), EPERM);
  EXPECT_EQ(SetGid(c, 0), EPERM);
  gid_t none[] = {0};
  EXPECT_EQ(SetGroups(c, none, 1), EPERM);
  EXPECT_EQ(SetFsuid(c, 0), 42u);  // returns the old value and changes nothing
  EXPECT_EQ(c.fsuid, 42u);
  EXPECT_EQ(SetUid(c, kUnchanged), EINVAL);
}

TEST(CredentialsTest, SavedRootAllowsTheWayBack) {
  Credentials c;
  ASSERT_EQ(SetResuid(c, 0, 7, 0), 0);  // like seteuid(7)
  EXPECT_EQ(c.cap_effective, 0u);
  EXPECT_EQ(c.cap_permitted, kAllCaps);
  EXPECT_EQ(SetReuid(c, kUnchanged, 0), 0);  // allowed: 0 is the real uid
  EXPECT_EQ(c.cap_effective, kAllCaps);
  // setreuid(8, 8): the saved uid follows the new effective one.
  EXPECT_EQ(SetReuid(c, 8, 8), 0);
  EXPECT_EQ(c.suid, 8u);
  EXPECT_EQ(SetUid(c, 0), EPERM);
}

TEST(CredentialsTest, KeepCapsAndCapsetLetSetprivChangeGidsAfterUids) {
  Credentials c;
  c.keep_caps = true;
  ASSERT_EQ(SetResuid(c, 100, 100, 100), 0);
  EXPECT_EQ(c.cap_effective, 0u);
  EXPECT_EQ(c.cap_permitted, kAllCaps);
  EXPECT_EQ(SetResgid(c, 100, 100, 100), EPERM);
  ASSERT_EQ(SetCapabilities(c, kAllCaps, kAllCaps), 0);
  EXPECT_EQ(SetResgid(c, 100, 100, 100), 0);
  EXPECT_EQ(SetCapabilities(c, 0, 0), 0);
  EXPECT_EQ(SetCapabilities(c, Cap(kCapSetuid), Cap(kCapSetuid)), EPERM);  // cannot grow
}

TEST(CredentialsTest, SetfsuidDropsAndRestoresFsCapabilities) {
  Credentials c;
  EXPECT_EQ(SetFsuid(c, 5), 0u);
  EXPECT_FALSE(c.Capable(kCapChown));
  EXPECT_TRUE(c.Capable(kCapSetuid));
  EXPECT_EQ(SetFsuid(c, 0), 5u);
  EXPECT_TRUE(c.Capable(kCapChown));
}

TEST(CredentialsTest, ExecOfSetIdFiles) {
  Credentials c;
  ASSERT_EQ(SetResuid(c, 1000, 1000, 1000), 0);
  ApplyExec(c, S_IFREG | S_ISUID | 0755, 0, 0);  // sudo-like: root-owned, set-user-ID
  EXPECT_EQ(c.ruid, 1000u);
  EXPECT_EQ(c.euid, 0u);
  EXPECT_EQ(c.suid, 0u);
  EXPECT_EQ(c.cap_effective, kAllCaps);
  Credentials d;
  ApplyExec(d, S_IFREG | S_ISGID | 0755, 0, 107);  // crontab-like: set-group-ID
  EXPECT_EQ(d.egid, 107u);
  EXPECT_EQ(d.sgid, 107u);
  EXPECT_EQ(d.rgid, 0u);
  Credentials e;
  ApplyExec(e, S_IFREG | S_ISGID | 0745, 0, 107);  // no group execute: no effect
  EXPECT_EQ(e.egid, 0u);
}

TEST(TaskTableTest, EmptyUntilSomeoneChangesAndInheritsAfterwards) {
  FakeTasks tree;
  tree.Add(10, 10, 1);   // a process
  tree.Add(11, 10, 1);   // its thread
  tree.Add(20, 20, 10);  // its child, forked before the change
  auto table = TaskTable::Create(&tree);
  ASSERT_TRUE(table);
  EXPECT_TRUE(table->Get(10).IsDefault());
  EXPECT_EQ(table->size(), 0u);  // nothing tracked while everyone is root
  ASSERT_EQ(table->Change(10, [](Credentials& c) { return SetResuid(c, 5, 5, 5); }), 0);
  EXPECT_EQ(table->Get(10).euid, 5u);
  EXPECT_EQ(table->Get(20).euid, 0u) << "a child forked before the change keeps root";
  tree.Add(30, 30, 10);  // forked after the change
  EXPECT_EQ(table->Get(30).euid, 5u);
  tree.Add(31, 31, 30);  // a grandchild never seen before its parent
  tree.Add(32, 32, 31);
  EXPECT_EQ(table->Get(32).euid, 5u);
  tree.Add(40, 40, 20);
  EXPECT_EQ(table->Get(40).euid, 0u);
  EXPECT_EQ(table->Get(11).euid, 5u) << "a thread follows its process";
}

TEST(TaskTableTest, FailedChangesChangeNothing) {
  NoTasks none;
  auto table = TaskTable::Create(&none);
  ASSERT_TRUE(table);
  ASSERT_EQ(table->Change(7, [](Credentials& c) { return SetResuid(c, 5, 5, 5); }), 0);
  EXPECT_EQ(table->Change(7, [](Credentials& c) { return SetUid(c, 0); }), EPERM);
  EXPECT_EQ(table->Get(7).euid, 5u);
}

// The real source names a process's parent and a thread's process as /proc
// does, and its exit watch becomes readable when the task exits.
TEST(ProcTaskSourceTest, IdsOfAProcessAndAThreadAndTheirExit) {
  UniqueFd proc(open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(proc);
  ProcTaskSource source(proc.get());

  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();
  if (child == 0) {
    close(go[1]);
    char byte;
    (void)!read(go[0], &byte, 1);
    _exit(0);
  }
  close(go[0]);
  auto ids = source.Lookup(child);
  ASSERT_TRUE(ids) << strerror(ids.error());
  EXPECT_EQ(ids->tgid, child);
  EXPECT_EQ(ids->ppid, getpid());
  ASSERT_TRUE(ids->exit_watch);
  struct pollfd watch = {ids->exit_watch.get(), POLLIN, 0};
  EXPECT_EQ(poll(&watch, 1, 0), 0) << "the child is alive";
  close(go[1]);
  EXPECT_EQ(poll(&watch, 1, 10000), 1) << "the child has exited";
  waitpid(child, nullptr, 0);

  std::atomic<pid_t> thread_tid{0};
  std::atomic<bool> done{false};
  std::thread thread([&] {
    thread_tid = static_cast<pid_t>(syscall(SYS_gettid));
    while (!done) usleep(1000);
  });
  while (thread_tid == 0) usleep(1000);
  auto thread_ids = source.Lookup(thread_tid);
  done = true;
  thread.join();
  ASSERT_TRUE(thread_ids) << strerror(thread_ids.error());
  EXPECT_EQ(thread_ids->tgid, getpid());
  EXPECT_EQ(thread_ids->ppid, getppid());
}

}  // namespace
}  // namespace fauxroot
