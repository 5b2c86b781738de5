// In-process costs on the supervisor's paths: the db, target memory access,
// and export throughput. No namespaces needed.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "db/lmdb_store.h"
#include "image/exporter.h"
#include "supervisor/fake_metadata.h"
#include "supervisor/target_memory.h"

namespace {

fauxroot::InodeRecord Owned() {
  fauxroot::InodeRecord record;
  record.generation = 7;
  record.uid = record.gid = 1000;
  return record;
}

std::string TempDir() {
  std::string pattern = std::filesystem::temp_directory_path() / "fauxroot-bench-XXXXXX";
  return mkdtemp(pattern.data());
}

void BM_LmdbPut(benchmark::State& state) {
  std::string dir = TempDir();
  auto store = fauxroot::LmdbStore::Open(dir);
  uint64_t ino = 0;
  for (auto _ : state) {
    auto r = (*store)->Put({1, ++ino}, Owned());
    benchmark::DoNotOptimize(r);
  }
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LmdbPut);

void BM_LmdbGet(benchmark::State& state) {
  std::string dir = TempDir();
  auto store = fauxroot::LmdbStore::Open(dir);
  for (uint64_t i = 0; i < 10000; ++i) {
    (void)(*store)->Put({1, i}, Owned());
  }
  uint64_t ino = 0;
  const bool hit = state.range(0) != 0;
  for (auto _ : state) {
    auto r = (*store)->Get({hit ? 1u : 2u, ino++ % 10000});
    benchmark::DoNotOptimize(r);
  }
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LmdbGet)->Arg(1)->Arg(0)->ArgName("hit");

void BM_InodeGeneration(benchmark::State& state) {
  int fd = open("/etc/passwd", O_PATH | O_CLOEXEC);
  for (auto _ : state) benchmark::DoNotOptimize(fauxroot::InodeGeneration(fd));
  close(fd);
}
BENCHMARK(BM_InodeGeneration);

void BM_ReadTargetPath(benchmark::State& state) {
  std::string path(static_cast<size_t>(state.range(0)), 'a');
  fauxroot::PathBuffer out;
  pid_t tid = gettid();
  for (auto _ : state) {
    auto r = fauxroot::ReadTargetPath(tid, reinterpret_cast<uint64_t>(path.c_str()), &out);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ReadTargetPath)->Arg(16)->Arg(200)->Arg(3000);

void BM_WriteTargetStat(benchmark::State& state) {
  struct stat st {
  }, target{};
  pid_t tid = gettid();
  for (auto _ : state) {
    auto r = fauxroot::WriteTargetMemory(tid, reinterpret_cast<uint64_t>(&target), &st, sizeof st);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_WriteTargetStat);

// Export of a tree of 2,000 files of 4 KiB to an uncompressed tar.
void BM_ExportTar(benchmark::State& state) {
  std::string dir = TempDir();
  std::string root = dir + "/root";
  std::filesystem::create_directories(root);
  std::string block(4096, 'x');
  for (int d = 0; d < 20; ++d) {
    std::string sub = root + "/d" + std::to_string(d);
    std::filesystem::create_directory(sub);
    for (int f = 0; f < 100; ++f) {
      int fd = open((sub + "/f" + std::to_string(f)).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (write(fd, block.data(), block.size()) < 0) state.SkipWithError("write");
      close(fd);
    }
  }
  auto store = fauxroot::LmdbStore::Open(dir + "/db");
  fauxroot::FakeMetadata metadata(store->get());
  fauxroot::ExportOptions options;
  options.rootfs = root;
  options.db_dir = dir + "/db";
  options.tar_path = dir + "/out.tar";
  for (auto _ : state) {
    auto r = fauxroot::Export(metadata, options);
    if (!r) state.SkipWithError(r.error().message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * 2020);
  state.SetBytesProcessed(state.iterations() * 2000 * 4096);
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ExportTar)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
