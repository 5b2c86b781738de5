#include "supervisor/proc_status.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fauxroot {
namespace {

TEST(ProcStatusTest, ReadsThisTasksFields) {
  int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(proc, 0);
  mode_t old = umask(027);
  auto status = ProcStatus::Read(proc, gettid());
  umask(old);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->Field("Umask", 8), 027);
  EXPECT_EQ(status->Field("Tgid"), getpid());
  EXPECT_EQ(status->Field("NStgid", 10, true), getpid());  // our innermost pid namespace
  EXPECT_FALSE(status->Field("NoSuchField"));
  EXPECT_FALSE(status->Field("Tgi"));  // a prefix of a name is not the name
  EXPECT_EQ(ProcStatus::Read(proc, 0x7ffffff0).error(), ESRCH);
  close(proc);
}

}  // namespace
}  // namespace fauxroot
