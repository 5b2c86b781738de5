#include "supervisor/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/linux_compat.h"
#include "db/memory_store.h"
#include "tests/unit/fake_channel.h"
#include "tests/unit/fake_tasks.h"

namespace fauxroot {
namespace {

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = SyscallTable::Build();
    ASSERT_TRUE(table) << table.error().message();
    table_ = *table;
    proc_ = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    resolver_ = std::make_unique<PathResolver>(proc_);
  }
  void TearDown() override { close(proc_); }

  void Queue(uint32_t arch, int nr, std::initializer_list<uint64_t> args = {}) {
    struct seccomp_notif n {};
    n.id = channel_.queue_.size() + 1;
    n.pid = static_cast<uint32_t>(gettid());
    n.data.arch = arch;
    n.data.nr = nr;
    int i = 0;
    for (uint64_t a : args) n.data.args[i++] = a;
    channel_.queue_.push_back(n);
  }

  SyscallTable table_ = *SyscallTable::Build();
  int proc_ = -1;
  MemoryStore store_;
  FakeMetadata metadata_{&store_};
  FakeChannel channel_;
  NoTasks task_source_;
  TaskTable tasks_ = *TaskTable::Create(&task_source_);
  std::unique_ptr<PathResolver> resolver_;
};

TEST_F(SupervisorTest, AnswersEachNotificationOnce) {
  Supervisor supervisor(&table_, HandlerContext{&channel_, resolver_.get(), &metadata_, &tasks_});
  const char* path = "/";
  struct stat st;
  Queue(AUDIT_ARCH_X86_64, SYS_stat,
        {reinterpret_cast<uint64_t>(path), reinterpret_cast<uint64_t>(&st)});
  Queue(AUDIT_ARCH_X86_64, SYS_getpid);                     // not in the table: the kernel runs it
  Queue(AUDIT_ARCH_I386, 212);                              // chown32: refused
  Queue(AUDIT_ARCH_X86_64, __X32_SYSCALL_BIT | SYS_chown);  // x32: refused
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(supervisor.HandleOne());
  ASSERT_EQ(channel_.sent_.size(), 4u);
  EXPECT_EQ(channel_.sent_[0].id, 1u);
  EXPECT_EQ(channel_.sent_[0].error, 0);
  EXPECT_EQ(channel_.sent_[0].val, 0);
  EXPECT_EQ(channel_.sent_[1].flags, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
  EXPECT_EQ(channel_.sent_[2].error, -ENOSYS);
  EXPECT_EQ(channel_.sent_[3].error, -ENOSYS);
  EXPECT_EQ(supervisor.stats().notifications, 4u);
  EXPECT_EQ(supervisor.stats().foreign_abi, 2u);
}

TEST_F(SupervisorTest, SendsNothingForAVanishedTarget) {
  Supervisor supervisor(&table_, HandlerContext{&channel_, resolver_.get(), &metadata_, &tasks_});
  channel_.id_valid_ = false;
  const char* path = "/";
  struct stat st;
  Queue(AUDIT_ARCH_X86_64, SYS_stat,
        {reinterpret_cast<uint64_t>(path), reinterpret_cast<uint64_t>(&st)});
  ASSERT_TRUE(supervisor.HandleOne());
  EXPECT_TRUE(channel_.sent_.empty());
  EXPECT_EQ(supervisor.stats().gone, 1u);
}

TEST(SyscallTableTest, EveryEntryResolvesAndDispatches) {
  auto table = SyscallTable::Build();
  ASSERT_TRUE(table);
  for (const SyscallEntry& entry : kTrappedSyscalls) {
    EXPECT_NE(entry.handler, Handler::kNone) << entry.name;
  }
  EXPECT_EQ(table->Lookup(SYS_chown), Handler::kChown);
  EXPECT_EQ(table->Lookup(SYS_newfstatat), Handler::kNewfstatat);
  EXPECT_EQ(table->Lookup(SYS_read), Handler::kNone);
  EXPECT_EQ(table->Lookup(-1), Handler::kNone);
  EXPECT_EQ(table->Lookup(100000), Handler::kNone);
  EXPECT_EQ(SyscallName(AUDIT_ARCH_I386, 212), "chown32 (i386)");
}

}  // namespace
}  // namespace fauxroot
