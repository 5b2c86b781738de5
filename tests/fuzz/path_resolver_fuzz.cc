// libFuzzer, differential: the supervisor's path resolution must find what
// the kernel finds. Every input is a (dirfd, flags, path) triple resolved both
// by PathResolver (for this very task) and by fstatat; the inode or the errno
// must agree. The paths explore a small tree with relative, absolute, dangling
// and looping symlinks, and /proc's self links.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "supervisor/path_resolver.h"

namespace {

struct Tree {
  std::string root;
  int dirfds[3];
  int proc;
};

const Tree& TheTree() {
  static Tree tree = [] {
    Tree t;
    std::string pattern = std::filesystem::temp_directory_path() / "fauxroot-resolve-fuzz-XXXXXX";
    t.root = mkdtemp(pattern.data());
    std::string script =
        "cd " + t.root +
        " && mkdir -p a/b/c d && touch a/f a/b/g && ln -s f a/l && ln -s /etc a/abs"
        " && ln -s ../.. a/b/up && ln -s loop1 loop2 && ln -s loop2 loop1"
        " && ln -s nowhere dangling && ln -s " +
        t.root + "/a d/back && mkfifo a/p";
    if (system(script.c_str()) != 0) abort();
    t.dirfds[0] = open(t.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    t.dirfds[1] = open((t.root + "/a/b").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    t.dirfds[2] = open((t.root + "/a/f").c_str(), O_PATH | O_CLOEXEC);  // not a directory
    t.proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return t;
  }();
  return tree;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 512) return 0;
  const Tree& tree = TheTree();
  const int dirfd = tree.dirfds[data[0] % 3];
  const int at_flags =
      ((data[1] & 1) ? AT_SYMLINK_NOFOLLOW : 0) | ((data[1] & 2) ? AT_EMPTY_PATH : 0);
  std::string path(reinterpret_cast<const char*>(data + 2), size - 2);
  if (path.find('\0') != std::string::npos) return 0;

  struct stat kernel;
  const int kernel_rc = fstatat(dirfd, path.c_str(), &kernel, at_flags);
  const int kernel_errno = kernel_rc == 0 ? 0 : errno;

  fauxroot::PathResolver resolver(tree.proc);
  auto fd = resolver.Resolve(gettid(), dirfd, path, fauxroot::PathResolver::FromAtFlags(at_flags));
  struct stat ours;
  if (fd && fstat(fd->get(), &ours) != 0) abort();
  const int our_errno = fd ? 0 : fd.error();

  const bool same =
      kernel_errno == our_errno &&
      (kernel_errno != 0 || (kernel.st_dev == ours.st_dev && kernel.st_ino == ours.st_ino));
  if (!same) {
    fprintf(stderr,
            "path '%s' dirfd %d flags %x: kernel errno %d ino %lu, fauxroot errno %d ino %lu\n",
            path.c_str(), data[0] % 3, at_flags, kernel_errno,
            kernel_errno ? 0ul : static_cast<unsigned long>(kernel.st_ino), our_errno,
            our_errno ? 0ul : static_cast<unsigned long>(ours.st_ino));
    abort();
  }
  return 0;
}
