// `fauxroot run` as a command: exit status, signals, the db, errors.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

RunSpec Unprivileged(const ScratchDir& dir) {
  RunSpec spec;
  spec.cwd = dir.path();
  if (IsRoot()) spec.as_user = kNobody;
  return spec;
}

TEST(RunTest, IsRootInsideAndKeepsTheExitStatus) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r = RunUnderFauxroot("id -u; id -g; exit 7", Unprivileged(dir));
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_EQ(r.out, "0\n0\n");
}

TEST(RunTest, ReportsDeathBySignalAs128PlusN) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  EXPECT_EQ(RunUnderFauxroot("kill -TERM $$", Unprivileged(dir)).status, 128 + SIGTERM);
  EXPECT_EQ(RunUnderFauxroot("kill -KILL $$", Unprivileged(dir)).status, 128 + SIGKILL);
}

TEST(RunTest, ForwardsSignalsSentToFauxroot) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  // The command traps SIGTERM, says so and exits 42: the signal reached it.
  std::string script =
      "trap 'echo got-term; exit 42' TERM; touch ready; while :; do sleep 0.05; done";
  std::atomic<pid_t> supervisor{0};
  RunSpec spec = Unprivileged(dir);
  spec.on_start = [&](pid_t pid) { supervisor = pid; };
  ProcessResult result;
  std::thread runner([&] { result = RunUnderFauxroot(script, spec); });
  std::string ready = dir.path() + "/ready";
  for (int i = 0; i < 200 && access(ready.c_str(), F_OK) != 0; ++i) usleep(50000);
  ASSERT_EQ(access(ready.c_str(), F_OK), 0);
  ASSERT_NE(supervisor.load(), 0);
  kill(supervisor, SIGTERM);
  runner.join();
  EXPECT_EQ(result.status, 42) << result.err;
  EXPECT_EQ(result.out, "got-term\n");
}

TEST(RunTest, AMissingCommandIsAClearError) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  RunSpec spec = Unprivileged(dir);
  ProcessResult r = RunProcess({FauxrootBinary(), "run", "--", "no-such-command-xyz"}, spec);
  EXPECT_EQ(r.status, 127);
  EXPECT_NE(r.err.find("cannot run 'no-such-command-xyz': ENOENT"), std::string::npos) << r.err;
  r = RunProcess({FauxrootBinary(), "run", "--", "/etc/passwd"}, spec);
  EXPECT_EQ(r.status, 126);
  EXPECT_NE(r.err.find("EACCES"), std::string::npos) << r.err;
}

TEST(RunTest, BadUsageExitsWith2AndSaysWhy) {
  ProcessResult r = RunProcess({FauxrootBinary(), "run", "--no-such-flag", "true"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
  r = RunProcess({FauxrootBinary(), "run"});
  EXPECT_EQ(r.status, 2);
  r = RunProcess({FauxrootBinary()});
  EXPECT_EQ(r.status, 2);
  r = RunProcess({FauxrootBinary(), "run", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--db"), std::string::npos);
}

TEST(RunTest, AnUnusableDbDirectoryIsAClearError) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  RunSpec spec = Unprivileged(dir);
  ProcessResult r =
      RunProcess({FauxrootBinary(), "run", "--db", "/proc/version/db", "--", "true"}, spec);
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("/proc/version/db"), std::string::npos) << r.err;
  RunShell("echo garbage > " + dir.path() + "/file", spec);
  r = RunProcess({FauxrootBinary(), "run", "--db", dir.path() + "/file", "--", "true"}, spec);
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("ENOTDIR"), std::string::npos) << r.err;
  RunShell("mkdir " + dir.path() + "/bad && head -c 20000 /dev/urandom > " + dir.path() +
               "/bad/data.mdb",
           spec);
  r = RunProcess({FauxrootBinary(), "run", "--db", dir.path() + "/bad", "--", "true"}, spec);
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("not a usable LMDB environment"), std::string::npos) << r.err;
}

TEST(RunTest, TheDbKeepsStateAcrossRunsAndDumpsIt) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  RunSpec spec = Unprivileged(dir);
  std::string db = dir.path() + "/state";
  ProcessResult first = RunUnderFauxroot("touch f; chown 123:456 f; mknod n c 4 5", spec, db);
  ASSERT_EQ(first.status, 0) << first.err;
  ProcessResult second = RunUnderFauxroot("stat -c '%u:%g %F %t,%T' f n", spec, db);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(second.out, "123:456 regular empty file 0,0\n0:0 character special file 4,5\n");
  ProcessResult dump = RunProcess({FauxrootBinary(), "db", "dump", "--db", db}, spec);
  ASSERT_EQ(dump.status, 0) << dump.err;
  struct stat st;
  ASSERT_EQ(stat((dir.path() + "/f").c_str(), &st), 0);
  EXPECT_NE(dump.out.find(",ino=" + std::to_string(st.st_ino) + ","), std::string::npos)
      << dump.out;
  EXPECT_NE(dump.out.find(",uid=123,gid=456,type=0,rdev=0"), std::string::npos) << dump.out;
  EXPECT_NE(dump.out.find(",uid=0,gid=0,type=20000,rdev=405"), std::string::npos) << dump.out;
  ProcessResult stats = RunProcess({FauxrootBinary(), "db", "stats", "--db", db}, spec);
  EXPECT_NE(stats.out.find("records: 2"), std::string::npos) << stats.out;
  // Without --db nothing is kept and nothing is left behind.
  ProcessResult temp = RunUnderFauxroot("stat -c %u f", spec);
  EXPECT_EQ(temp.out, "0\n");
}

TEST(RunTest, TheTemporaryDbIsRemoved) {
  ScratchDir tmp(IsRoot() ? kNobody : geteuid());
  RunSpec spec = Unprivileged(tmp);
  spec.env = {"TMPDIR=" + tmp.path()};
  ProcessResult r = RunUnderFauxroot("touch f; chown 1:1 f; ls -d $TMPDIR/fauxroot-db-*", spec);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("fauxroot-db-"), std::string::npos);
  int left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
    left += entry.path().filename().string().starts_with("fauxroot-db-");
  }
  EXPECT_EQ(left, 0);
}

TEST(RunTest, NoFauxrootFdLeaksIntoTheCommand) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r = RunUnderFauxroot("ls -l /proc/self/fd/ | grep -E 'mdb|seccomp|socket' || true",
                                     Unprivileged(dir), dir.path() + "/db");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "") << r.out;
}

}  // namespace
}  // namespace fauxroot::testing
