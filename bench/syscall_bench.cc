// Syscalls as a build step makes them. Run this binary natively and under
// `fauxroot run` (bench/micro.sh does both and prints the ratios): the
// difference is what emulation costs per call.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

namespace {

// All benchmarks work in one scratch directory, made by main().
std::string g_dir;

std::string Path(const char* name) { return g_dir + "/" + name; }

void BM_Getppid(benchmark::State& state) {  // untrapped: the filter's own cost
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getppid));
}
BENCHMARK(BM_Getppid);

void BM_Getuid(benchmark::State& state) {  // trapped, trivial: a notification round trip
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getuid));
}
BENCHMARK(BM_Getuid);

void BM_StatPath(benchmark::State& state) {
  std::string path = Path("file");
  struct stat st;
  for (auto _ : state) benchmark::DoNotOptimize(stat(path.c_str(), &st));
}
BENCHMARK(BM_StatPath);

void BM_StatMissing(benchmark::State& state) {
  std::string path = Path("missing");
  struct stat st;
  for (auto _ : state) benchmark::DoNotOptimize(stat(path.c_str(), &st));
}
BENCHMARK(BM_StatMissing);

void BM_FstatFd(benchmark::State& state) {
  int fd = open(Path("file").c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  for (auto _ : state) benchmark::DoNotOptimize(fstat(fd, &st));
  close(fd);
}
BENCHMARK(BM_FstatFd);

void BM_StatxPath(benchmark::State& state) {
  std::string path = Path("file");
  struct statx stx;
  for (auto _ : state) {
    benchmark::DoNotOptimize(statx(AT_FDCWD, path.c_str(), 0, STATX_BASIC_STATS, &stx));
  }
}
BENCHMARK(BM_StatxPath);

void BM_StatRecorded(benchmark::State& state) {  // a file with a record: db lookup + generation
  std::string path = Path("owned");
  struct stat st;
  for (auto _ : state) benchmark::DoNotOptimize(stat(path.c_str(), &st));
}
BENCHMARK(BM_StatRecorded);

void BM_Chown(benchmark::State& state) {
  std::string path = Path("file");
  uid_t uid = 1000;
  for (auto _ : state) benchmark::DoNotOptimize(chown(path.c_str(), ++uid % 60000, 100));
  if (chown(path.c_str(), 0, 0) != 0) state.SkipWithError("chown back");
}
BENCHMARK(BM_Chown);

void BM_MknodUnlink(benchmark::State& state) {
  std::string path = Path("node");
  for (auto _ : state) {
    benchmark::DoNotOptimize(mknod(path.c_str(), S_IFCHR | 0600, makedev(1, 3)));
    unlink(path.c_str());
  }
}
BENCHMARK(BM_MknodUnlink);

void BM_OpenCreatUnlink(benchmark::State& state) {
  std::string path = Path("created");
  for (auto _ : state) {
    int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    close(fd);
    unlink(path.c_str());
  }
}
BENCHMARK(BM_OpenCreatUnlink);

void BM_SetresuidNoChange(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_setresuid, -1, -1, -1));
}
BENCHMARK(BM_SetresuidNoChange);

}  // namespace

int main(int argc, char** argv) {
  char pattern[] = "/tmp/fauxroot-bench-XXXXXX";
  if (const char* dir = getenv("FAUXROOT_BENCH_DIR")) {
    g_dir = dir;
  } else if (mkdtemp(pattern) != nullptr) {
    g_dir = pattern;
  } else {
    return 1;
  }
  close(open(Path("file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  close(open(Path("owned").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  if (chown(Path("owned").c_str(), 123, 456) != 0) {
    // Natively as a user: no record and no privilege; the stat still runs.
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const char* name : {"file", "owned", "node", "created"}) unlink(Path(name).c_str());
  if (!getenv("FAUXROOT_BENCH_DIR")) rmdir(g_dir.c_str());
  return 0;
}
