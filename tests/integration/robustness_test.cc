// Hostile arguments, foreign ABIs and a supervisor killed mid-build.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/harness.h"

namespace fauxroot::testing {
namespace {

// Each mode of try_syscall gets the same answer natively as root and under
// fauxroot as 65534.
TEST(RobustnessTest, HostileArgumentsGetTheKernelsErrno) {
  if (!IsRoot()) GTEST_SKIP() << "the oracle is real root; run the tests as root";
  const std::vector<std::string> modes = {
      "stat-null",         "stat-null-empty", "stat-badbuf",        "stat-badflags",
      "stat-unterminated", "stat-longpath",   "stat-badfd",         "stat-notdir",
      "chown-badpath",     "chown-longpath",  "chown-unterminated", "fchownat-badflags",
      "mknod-exists"};
  ScratchDir native_dir(0), faux_dir(kNobody);
  std::string setup = "touch file; ";
  for (const std::string& mode : modes) {
    std::string command = setup + TrySyscallBinary() + " " + mode + " file";
    ProcessResult native = RunShell(command, {.cwd = native_dir.path()});
    ProcessResult faux = RunUnderFauxroot(command, {.cwd = faux_dir.path()});
    EXPECT_EQ(native.status, 0) << mode << native.err;
    EXPECT_EQ(faux.status, 0) << mode << faux.err;
    EXPECT_EQ(faux.out, native.out) << mode;
    EXPECT_NE(native.out, "") << mode;
  }
}

// The *xattrat calls (Linux 6.13), which libseccomp 2.5.4 does not know: set
// and read back as real root does.
TEST(RobustnessTest, XattratCallsLikeRealRoot) {
  ExpectSameAsRoot("touch f; " + TrySyscallBinary() +
                   " setxattrat f; getfattr -n trusted.fauxroot f; " + TrySyscallBinary() +
                   " getxattrat f");
}

// A thread rewriting the path while another stats it, a seccomp filter of the
// build's own stacked on fauxroot's, and ptrace (strace) inside the build.
TEST(RobustnessTest, RacingPathsNestedFiltersAndPtrace) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r =
      RunUnderFauxroot("touch file; " + TrySyscallBinary() + " racing-path", {.cwd = dir.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
  r = RunUnderFauxroot("touch file; " + TrySyscallBinary() + " nested-seccomp file",
                       {.cwd = dir.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "syslog EPERM, chown 0, stat 0, uid 77\n");
  r = RunUnderFauxroot("touch f2; strace -f -o /dev/null chown 5:6 f2 && stat -c %u:%g f2",
                       {.cwd = dir.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "5:6\n");
}

// A static Go binary (no libc for LD_PRELOAD to hook), with goroutines on
// several threads and the runtime's preemption signals (SIGURG), chowns and
// stats concurrently: every result is right.
TEST(RobustnessTest, GoProgramsWithPreemptionSignals) {
  if (access("/usr/bin/go", X_OK) != 0) GTEST_SKIP() << "no Go toolchain (golang-go)";
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult made = RunShell(
      R"sh(cat > main.go <<'GO'
package main

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

func main() {
	var wg sync.WaitGroup
	errors := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				name := fmt.Sprintf("g%d-%d", g, i)
				if err := os.WriteFile(name, nil, 0644); err != nil {
					errors <- err.Error()
					return
				}
				if err := os.Chown(name, 1000+g, 2000+i); err != nil {
					errors <- err.Error()
					return
				}
				st, err := os.Stat(name)
				if err != nil {
					errors <- err.Error()
					return
				}
				s := st.Sys().(*syscall.Stat_t)
				if s.Uid != uint32(1000+g) || s.Gid != uint32(2000+i) {
					errors <- fmt.Sprintf("%s: %d:%d", name, s.Uid, s.Gid)
					return
				}
				for spin := 0; spin < 20000; spin++ { // long enough to be preempted
				}
			}
		}(g)
	}
	wg.Wait()
	close(errors)
	for e := range errors {
		fmt.Println("error:", e)
	}
	fmt.Println("done")
}
GO
CGO_ENABLED=0 GOCACHE=$PWD/.gocache GOPATH=$PWD/.gopath go build -o chowner main.go && rm -rf .gocache .gopath)sh",
      {.as_user = IsRoot() ? std::optional<uid_t>(kNobody) : std::nullopt, .cwd = dir.path()});
  ASSERT_EQ(made.status, 0) << made.err;
  ProcessResult r = RunUnderFauxroot("./chowner && file chowner | grep -o 'statically linked'",
                                     {.cwd = dir.path(), .timeout_seconds = 120});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "done\nstatically linked\n");
}

TEST(RobustnessTest, ForeignAbiCallsAreRefusedLoudly) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  RunSpec spec{.cwd = dir.path()};
  ProcessResult r = RunUnderFauxroot("touch f; " + TrySyscallBinary() + " int80-chown32 f", spec);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ENOSYS\n");
  EXPECT_NE(r.err.find("chown32 (i386) is not emulated"), std::string::npos) << r.err;
  r = RunUnderFauxroot("touch f; " + TrySyscallBinary() + " x32-chown f", spec);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ENOSYS\n");
  EXPECT_NE(r.err.find("(x32) is not emulated"), std::string::npos) << r.err;
}

// SIGALRM every 300 us during 20,000 chown and stat calls. With SA_RESTART the
// program sees no EINTR at all (calls interrupted before the supervisor took
// them are restarted; taken ones wait killably, WAIT_KILLABLE_RECV). Without
// SA_RESTART a signal that lands while a call still waits in the queue makes it
// fail with EINTR, which the kernel decides, not fauxroot: the count is reported.
TEST(RobustnessTest, SignalsDoNotBreakEmulatedCalls) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  std::string storm = PublicCopy(SIGNAL_STORM_BINARY, "signal_storm");
  ProcessResult r = RunUnderFauxroot(storm + " 10000 restart", {.cwd = dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  int calls = 0, eintr = -1, other = -1, handled = 0;
  ASSERT_EQ(sscanf(r.out.c_str(), "calls %d eintr %d other %d handled %d", &calls, &eintr, &other,
                   &handled),
            4)
      << r.out;
  EXPECT_EQ(calls, 20000);
  EXPECT_EQ(eintr, 0);
  EXPECT_EQ(other, 0);
  EXPECT_GT(handled, 50) << "the signals did not arrive during the calls";
  RecordProperty("signals_handled", handled);
  r = RunUnderFauxroot(storm + " 10000 norestart", {.cwd = dir.path()});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(sscanf(r.out.c_str(), "calls %d eintr %d other %d handled %d", &calls, &eintr, &other,
                   &handled),
            4);
  EXPECT_EQ(other, 0);
  RecordProperty("eintr_without_sa_restart", eintr);
  std::printf("without SA_RESTART: %d EINTR in %d calls, %d signals\n", eintr, calls, handled);
}

TEST(RobustnessTest, IoUringIsUnavailable) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  ProcessResult r = RunUnderFauxroot(TrySyscallBinary() + " io_uring_setup", {.cwd = dir.path()});
  EXPECT_EQ(r.out, "ENOSYS\n");
}

// Kills the supervisor with SIGKILL in the middle of 10,000 chowns: every chown
// the step saw succeed is in the db, and the step ends instead of hanging.
TEST(RobustnessTest, KillingTheSupervisorLosesNoAcknowledgedRecord) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  std::string db = dir.path() + "/db";
  constexpr char kScript[] = R"sh(exec /usr/bin/python3 -c '
import os
log = os.open("log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
for i in range(10000):
    name = "f%d" % i
    os.close(os.open(name, os.O_CREAT | os.O_WRONLY, 0o644))
    os.chown(name, 1000 + i, 2000 + i)
    os.write(log, (name + "\n").encode())
')sh";
  std::string marker = dir.path() + "/log";
  ProcessResult result;
  std::atomic<pid_t> supervisor{0};
  RunSpec spec{.cwd = dir.path(), .timeout_seconds = 120};
  spec.on_start = [&](pid_t pid) { supervisor = pid; };
  std::thread runner([&] { result = RunUnderFauxroot(kScript, spec, db); });
  // Kill at a random point once the build is well under way.
  std::mt19937 rng(std::random_device{}());
  size_t threshold = 500 + rng() % 3000;
  for (int i = 0; i < 2000; ++i) {
    struct stat st;
    if (stat(marker.c_str(), &st) == 0 && static_cast<size_t>(st.st_size) > threshold * 6) break;
    usleep(5000);
  }
  ASSERT_NE(supervisor.load(), 0);
  kill(supervisor, SIGKILL);
  runner.join();
  EXPECT_EQ(result.status, 128 + SIGKILL) << "the supervisor was not the process killed";
  // The step is gone too (its init dies with the supervisor): nothing writes any more.
  std::string log_before = ReadFile(marker);
  usleep(300000);
  std::string log = ReadFile(marker);
  EXPECT_EQ(log, log_before) << "the build step kept running without its supervisor";
  size_t acknowledged = std::count(log.begin(), log.end(), '\n');
  EXPECT_GT(acknowledged, 0u);
  EXPECT_LT(acknowledged, 10000u) << "the kill came too late to prove anything";

  ProcessResult dump =
      RunProcess({FauxrootBinary(), "db", "dump", "--db", db},
                 {.as_user = IsRoot() ? std::optional<uid_t>(kNobody) : std::nullopt});
  ASSERT_EQ(dump.status, 0) << dump.err;
  std::map<uint64_t, std::string> by_ino;
  std::istringstream lines(dump.out);
  for (std::string line; std::getline(lines, line);) {
    size_t ino = line.find(",ino="), gen = line.find(",gen="), uid = line.find(",uid=");
    by_ino[std::stoull(line.substr(ino + 5, gen - ino - 5))] = line.substr(uid + 1);
  }
  std::istringstream names(log);
  size_t checked = 0;
  for (std::string name; std::getline(names, name); ++checked) {
    struct stat st;
    ASSERT_EQ(stat((dir.path() + "/" + name).c_str(), &st), 0) << name;
    int i = std::stoi(name.substr(1));
    auto it = by_ino.find(st.st_ino);
    ASSERT_NE(it, by_ino.end()) << "acknowledged chown of " << name << " is not in the db";
    EXPECT_EQ(it->second.substr(0, it->second.find(",type")),
              "uid=" + std::to_string(1000 + i) + ",gid=" + std::to_string(2000 + i));
  }
  EXPECT_EQ(checked, acknowledged);
  RecordProperty("acknowledged", static_cast<int>(acknowledged));
}

// Targets killed while their calls wait in the supervisor: the supervisor
// notices (SEND says ENOENT), keeps serving the others and ends normally.
TEST(RobustnessTest, TargetsKilledMidCallLeaveNothingStuck) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  constexpr char kScript[] = R"sh(
for round in 1 2 3 4 5; do
  /usr/bin/python3 -c 'import os
while True: os.stat("/")' &
  pid=$!; sleep 0.2; kill -KILL $pid; wait $pid 2>/dev/null
done
touch f; chown 3:4 f; stat -c '%u:%g' f
)sh";
  ProcessResult r = RunUnderFauxroot(kScript, {.cwd = dir.path(), .timeout_seconds = 60});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "3:4\n");
}

// Two runs on one db at the same time: LMDB serialises the writers; both runs'
// records are all there afterwards.
TEST(RobustnessTest, TwoRunsShareOneDb) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  std::string db = dir.path() + "/db";
  auto script = [](const std::string& prefix) {
    return "exec /usr/bin/python3 -c '\nimport os\nfor i in range(1500):\n"
           "    n = \"" +
           prefix +
           "%d\" % i\n    open(n, \"w\").close()\n"
           "    os.chown(n, 100 + i, 200 + i)\n'";
  };
  ProcessResult a, b;
  std::thread first([&] { a = RunUnderFauxroot(script("a"), {.cwd = dir.path()}, db); });
  std::thread second([&] { b = RunUnderFauxroot(script("b"), {.cwd = dir.path()}, db); });
  first.join();
  second.join();
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  ProcessResult check = RunUnderFauxroot(
      "for p in a b; do for i in 0 777 1499; do stat -c '%n %u %g' $p$i; done; done",
      {.cwd = dir.path()}, db);
  EXPECT_EQ(
      check.out,
      "a0 100 200\na777 877 977\na1499 1599 1699\nb0 100 200\nb777 877 977\nb1499 1599 1699\n");
  RunSpec spec{.cwd = dir.path()};
  if (IsRoot()) spec.as_user = kNobody;
  ProcessResult stats = RunProcess({FauxrootBinary(), "db", "stats", "--db", db}, spec);
  EXPECT_NE(stats.out.find("records: 3000"), std::string::npos) << stats.out;
}

// A parallel build: 8 processes with 4 threads each chown and create files
// under one supervisor; every record lands where it belongs.
TEST(RobustnessTest, ParallelProcessesAndThreadsLoseNothing) {
  ScratchDir dir(IsRoot() ? kNobody : geteuid());
  constexpr char kScript[] = R"sh(exec /usr/bin/python3 - <<'PY'
import os, threading
def work(p, t):
    for i in range(250):
        n = "p%d-t%d-%d" % (p, t, i)
        open(n, "w").close()
        os.chown(n, 1000 + p, 2000 + t)
        st = os.stat(n)
        assert (st.st_uid, st.st_gid) == (1000 + p, 2000 + t), n
pids = []
for p in range(8):
    pid = os.fork()
    if pid == 0:
        threads = [threading.Thread(target=work, args=(p, t)) for t in range(4)]
        for th in threads: th.start()
        for th in threads: th.join()
        os._exit(0)
    pids.append(pid)
bad = [pid for pid in pids if os.waitpid(pid, 0)[1] != 0]
print("failed workers:", len(bad))
PY
)sh";
  std::string db = dir.path() + "/db";
  ProcessResult r = RunUnderFauxroot(kScript, {.cwd = dir.path(), .timeout_seconds = 300}, db);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "failed workers: 0\n");
  ProcessResult check = RunUnderFauxroot(
      "find . -name 'p*' -printf '%f %U %G\\n' | awk '{split($1, a, \"[pt-]\"); "
      "if ($2 != 1000 + a[2] || $3 != 2000 + a[4]) bad++} END {print NR, bad + 0}'",
      {.cwd = dir.path()}, db);
  EXPECT_EQ(check.out, "8000 0\n") << check.err;
  // Records = operations: one record per chowned file, none lost or doubled.
  RunSpec spec{.cwd = dir.path()};
  if (IsRoot()) spec.as_user = kNobody;
  ProcessResult stats = RunProcess({FauxrootBinary(), "db", "stats", "--db", db}, spec);
  EXPECT_NE(stats.out.find("records: 8000\n"), std::string::npos) << stats.out;
}

// A db on a file system that fills up: the call that cannot be recorded fails
// with an errno (never success), the error names the db, and nothing hangs.
TEST(RobustnessTest, AFullDiskFailsTheCallNotTheRecord) {
  if (!IsRoot()) GTEST_SKIP() << "mounting a small tmpfs for the db needs root";
  ScratchDir dir(kNobody);
  std::string db = dir.path() + "/db";
  ASSERT_EQ(RunShell("mkdir db && mount -t tmpfs -o size=256k,mode=0777 fauxroot-full db",
                     {.cwd = dir.path()})
                .status,
            0);
  ProcessResult r = RunUnderFauxroot(
      "i=0; while [ $i -lt 20000 ]; do : > f$i; if ! chown 1:1 f$i 2>/dev/null; then "
      "echo \"failed at $i\"; break; fi; i=$((i+1)); done; "
      "stat -c %u f$((i - 1)) f$i 2>/dev/null | tr '\\n' ' '",
      {.cwd = dir.path(), .timeout_seconds = 300}, db);
  RunShell("umount db", {.cwd = dir.path()});
  EXPECT_NE(r.out.find("failed at "), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("write record"), std::string::npos) << r.err;
  // The last acknowledged chown shows; the failed one left the owner alone.
  EXPECT_TRUE(r.out.ends_with("\n1 0 ")) << r.out;
}

}  // namespace
}  // namespace fauxroot::testing
