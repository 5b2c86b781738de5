// libFuzzer: `fauxroot import --tar` of arbitrary bytes (any compression libarchive
// reads) never crashes and never writes outside the root: everything it makes
// stays under a fresh directory whose parent holds nothing else.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "db/memory_store.h"
#include "image/importer.h"

namespace {

std::string Scratch() {
  static std::string dir = [] {
    std::string pattern = std::filesystem::temp_directory_path() / "fauxroot-fuzz-XXXXXX";
    return std::string(mkdtemp(pattern.data()));
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string dir = Scratch();
  const std::string input = dir + "/input";
  {
    int fd = open(input.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size)) abort();
    close(fd);
  }
  const std::string root = dir + "/root";
  fauxroot::MemoryStore store;
  fauxroot::FakeMetadata metadata(&store);
  fauxroot::ImportOptions options;
  options.rootfs = root;
  options.db_dir = dir + "/db";
  options.tar = input;
  (void)fauxroot::Import(metadata, options);
  // Only `input` and `root` may exist beside each other.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().filename();
    if (name != "input" && name != "root") abort();
  }
  std::error_code ignored;
  std::filesystem::remove_all(root, ignored);
  return 0;
}
