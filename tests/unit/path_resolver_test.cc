#include "supervisor/path_resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fauxroot {
namespace {

// The kernel is the oracle: for every path, the resolver working for this task
// must find the same inode (or the same errno) as fstatat in this task.
class PathResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = std::filesystem::temp_directory_path() / "fauxroot-resolve-XXXXXX";
    root_ = mkdtemp(pattern.data());
    Run("mkdir -p dir/sub && echo x > dir/file && ln -s dir/file link_rel && "
        "ln -s " +
        root_ +
        "/dir/file link_abs && ln -s nowhere dangling && "
        "ln -s loop2 loop1 && ln -s loop1 loop2 && ln -s ../dir dir/up && "
        "ln -s " +
        root_ +
        "/dir dir/sub/abs_dir; "
        "mkfifo fifo && ln -s dir/sub dirlink");
    dirfd_ = open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    subfd_ = open((root_ + "/dir/sub").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    filefd_ = open((root_ + "/dir/file").c_str(), O_RDONLY | O_CLOEXEC);
    proc_ = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(dirfd_, 0);
    ASSERT_GE(subfd_, 0);
    ASSERT_GE(filefd_, 0);
  }
  void TearDown() override {
    for (int fd : {dirfd_, subfd_, filefd_, proc_}) close(fd);
    std::filesystem::remove_all(root_);
  }
  void Run(const std::string& script) {
    ASSERT_EQ(system(("cd " + root_ + " && " + script).c_str()), 0);
  }

  // "dev:ino" or "errno N".
  static std::string Describe(int fd_or_err, bool ok) {
    if (!ok) return "errno " + std::to_string(fd_or_err);
    struct stat st;
    if (fstat(fd_or_err, &st) != 0) return "fstat failed";
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  std::string Kernel(int dirfd, const std::string& path, int flags) {
    struct stat st;
    if (fstatat(dirfd, path.c_str(), &st, flags) != 0) return "errno " + std::to_string(errno);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  std::string Resolver(int dirfd, const std::string& path, int flags) {
    PathResolver resolver(proc_);
    unsigned rflags = ((flags & AT_SYMLINK_NOFOLLOW) ? PathResolver::kNoFollow : 0) |
                      ((flags & AT_EMPTY_PATH) ? PathResolver::kEmptyPath : 0);
    auto fd = resolver.Resolve(gettid(), dirfd, path, rflags);
    return fd ? Describe(fd->get(), true) : Describe(fd.error(), false);
  }

  std::string root_;
  int dirfd_ = -1, subfd_ = -1, filefd_ = -1, proc_ = -1;
};

TEST_F(PathResolverTest, AgreesWithTheKernel) {
  const std::vector<std::string> relative = {"dir",
                                             "dir/file",
                                             "dir/file/",
                                             "dir/file/x",
                                             "dir/sub/",
                                             "link_rel",
                                             "link_abs",
                                             "dangling",
                                             "loop1",
                                             "dir/up/file",
                                             "dir/up/up/up",
                                             "missing",
                                             "missing/x",
                                             "dir/missing",
                                             ".",
                                             "..",
                                             "../..",
                                             "dir/../dir",
                                             "fifo",
                                             "dirlink/..",
                                             "dirlink/../file",
                                             "link_rel/",
                                             "dir//file",
                                             "dir/./file",
                                             "dir/sub/abs_dir/file",
                                             "dir/sub/abs_dir/sub/abs_dir/up/file"};
  for (const std::string& path : relative) {
    for (int flags : {0, AT_SYMLINK_NOFOLLOW}) {
      EXPECT_EQ(Resolver(dirfd_, path, flags), Kernel(dirfd_, path, flags))
          << "path " << path << " flags " << flags;
    }
  }
  const std::vector<std::string> absolute = {root_ + "/dir/file",
                                             root_ + "/link_abs",
                                             root_ + "/dir/up/../../",
                                             "/",
                                             "/..",
                                             "/../..",
                                             "/proc/self/fd/0",
                                             "/dev/stdin",
                                             "/proc/self",
                                             "/proc/thread-self/fd",
                                             "/nonexistent/x"};
  for (const std::string& path : absolute) {
    for (int flags : {0, AT_SYMLINK_NOFOLLOW}) {
      EXPECT_EQ(Resolver(AT_FDCWD, path, flags), Kernel(AT_FDCWD, path, flags))
          << "path " << path << " flags " << flags;
    }
  }
}

TEST_F(PathResolverTest, WalksAboveTheStartDirectory) {
  // ".." above the dirfd and absolute symlinks make openat2 refuse with EXDEV;
  // the component walk must give the kernel's answer.
  for (std::string path : {"../file", "../../link_rel", "../../dir/sub/../file", "abs_dir/file",
                           "abs_dir/../link_abs", "../nothing"}) {
    EXPECT_EQ(Resolver(subfd_, path, 0), Kernel(subfd_, path, 0)) << path;
  }
}

TEST_F(PathResolverTest, EmptyPathNamesTheFd) {
  EXPECT_EQ(Resolver(filefd_, "", AT_EMPTY_PATH), Kernel(filefd_, "", AT_EMPTY_PATH));
  EXPECT_EQ(Resolver(AT_FDCWD, "", AT_EMPTY_PATH), Kernel(AT_FDCWD, "", AT_EMPTY_PATH));
  EXPECT_EQ(Resolver(filefd_, "", 0), "errno " + std::to_string(ENOENT));
  EXPECT_EQ(Resolver(9999, "", AT_EMPTY_PATH), "errno " + std::to_string(EBADF));
  EXPECT_EQ(Resolver(-5, "x", 0), "errno " + std::to_string(EBADF));
}

TEST_F(PathResolverTest, RelativeToAFileIsNotADirectory) {
  EXPECT_EQ(Resolver(filefd_, "x", 0), Kernel(filefd_, "x", 0));
  EXPECT_EQ(Resolver(filefd_, "x", 0), "errno " + std::to_string(ENOTDIR));
}

TEST_F(PathResolverTest, ParentOfANewName) {
  PathResolver resolver(proc_);
  auto parent = resolver.ResolveParent(gettid(), dirfd_, "dirlink/newname");
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->name, "newname");
  EXPECT_FALSE(parent->trailing_slash);
  EXPECT_EQ(Describe(parent->dir.get(), true), Kernel(dirfd_, "dir/sub", 0));
  auto slash = resolver.ResolveParent(gettid(), dirfd_, "dir/new/");
  ASSERT_TRUE(slash);
  EXPECT_TRUE(slash->trailing_slash);
  EXPECT_EQ(slash->name, "new");
  EXPECT_EQ(resolver.ResolveParent(gettid(), dirfd_, "dir/..").error(), EEXIST);
  EXPECT_EQ(resolver.ResolveParent(gettid(), dirfd_, "/").error(), EEXIST);
  EXPECT_EQ(resolver.ResolveParent(gettid(), dirfd_, "").error(), ENOENT);
  EXPECT_EQ(resolver.ResolveParent(gettid(), dirfd_, "dir/file/x").error(), ENOTDIR);
  EXPECT_EQ(resolver.ResolveParent(gettid(), dirfd_, "missing/x").error(), ENOENT);
}

}  // namespace
}  // namespace fauxroot
