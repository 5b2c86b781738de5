#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "db/memory_store.h"
#include "supervisor/handlers/handler.h"
#include "supervisor/posix_acl.h"
#include "tests/unit/fake_channel.h"
#include "tests/unit/fake_tasks.h"

namespace fauxroot {
namespace {

// The handlers run against this very process as the target: its memory holds
// the arguments, its cwd and fds are the ones resolved. No filter, no privilege.
class HandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = std::filesystem::temp_directory_path() / "fauxroot-handlers-XXXXXX";
    dir_ = mkdtemp(pattern.data());
    file_ = dir_ + "/file";
    close(open(file_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    proc_ = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    resolver_ = std::make_unique<PathResolver>(proc_);
    metadata_ = std::make_unique<FakeMetadata>(&store_);
    ctx_ = HandlerContext{&channel_, resolver_.get(), metadata_.get(), &tasks_};
  }
  void TearDown() override {
    close(proc_);
    std::filesystem::remove_all(dir_);
  }

  static uint64_t Ptr(const void* p) { return reinterpret_cast<uint64_t>(p); }

  Response Call(Handler handler, long nr, std::initializer_list<uint64_t> args) {
    struct seccomp_notif n {};
    n.id = ++id_;
    n.pid = static_cast<uint32_t>(gettid());
    n.data.nr = static_cast<int>(nr);
    n.data.arch = AUDIT_ARCH_X86_64;
    int i = 0;
    for (uint64_t a : args) n.data.args[i++] = a;
    return Dispatch(handler, ctx_, n);
  }
  struct stat FakeStat(const std::string& path, int flags = 0) {
    struct stat st {};
    Response r = Call(Handler::kNewfstatat, SYS_newfstatat,
                      {static_cast<uint64_t>(AT_FDCWD), Ptr(path.c_str()), Ptr(&st),
                       static_cast<uint64_t>(flags)});
    EXPECT_EQ(r, Response::Return(0)) << path;
    return st;
  }
  Response Chown(const std::string& path, uint32_t uid, uint32_t gid) {
    return Call(Handler::kChown, SYS_chown, {Ptr(path.c_str()), uid, gid});
  }

  std::string dir_, file_;
  int proc_ = -1;
  uint64_t id_ = 0;
  MemoryStore store_;
  FakeChannel channel_;
  NoTasks task_source_;
  TaskTable tasks_ = *TaskTable::Create(&task_source_);
  std::unique_ptr<PathResolver> resolver_;
  std::unique_ptr<FakeMetadata> metadata_;
  HandlerContext ctx_{};
};

TEST_F(HandlersTest, ChownIsRecordedAndStatShowsIt) {
  EXPECT_EQ(Chown(file_, 123, 456), Response::Return(0));
  struct stat st = FakeStat(file_);
  EXPECT_EQ(st.st_uid, 123u);
  EXPECT_EQ(st.st_gid, 456u);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  // -1 keeps an id.
  EXPECT_EQ(Chown(file_, static_cast<uint32_t>(-1), 789), Response::Return(0));
  st = FakeStat(file_);
  EXPECT_EQ(st.st_uid, 123u);
  EXPECT_EQ(st.st_gid, 789u);
  // Back to 0:0 leaves no record.
  EXPECT_EQ(Chown(file_, 0, 0), Response::Return(0));
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(HandlersTest, ChownClearsSetIdBitsLikeTheKernel) {
  ASSERT_EQ(chmod(file_.c_str(), 06755), 0);
  EXPECT_EQ(Chown(file_, 1, 1), Response::Return(0));
  EXPECT_EQ(FakeStat(file_).st_mode & 07777, 0755u);
  // S_ISGID without group-execute (mandatory locking) stays.
  ASSERT_EQ(chmod(file_.c_str(), 02644), 0);
  EXPECT_EQ(Chown(file_, static_cast<uint32_t>(-1), static_cast<uint32_t>(-1)),
            Response::Return(0));
  EXPECT_EQ(FakeStat(file_).st_mode & 07777, 02644u);
  // Directories keep theirs.
  std::string sub = dir_ + "/sub";
  ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
  ASSERT_EQ(chmod(sub.c_str(), 02755), 0);
  EXPECT_EQ(Chown(sub, 5, 5), Response::Return(0));
  EXPECT_EQ(FakeStat(sub).st_mode & 07777, 02755u);
}

TEST_F(HandlersTest, LchownRecordsTheLinkNotItsTarget) {
  std::string link = dir_ + "/link";
  ASSERT_EQ(symlink("file", link.c_str()), 0);
  EXPECT_EQ(Call(Handler::kLchown, SYS_lchown, {Ptr(link.c_str()), 7, 8}), Response::Return(0));
  EXPECT_EQ(FakeStat(link, AT_SYMLINK_NOFOLLOW).st_uid, 7u);
  EXPECT_EQ(FakeStat(link).st_uid, 0u + FakeStat(file_).st_uid);
  EXPECT_NE(FakeStat(file_).st_uid, 7u);
}

TEST_F(HandlersTest, FchownatChecksFlagsAndTakesEmptyPaths) {
  int fd = open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(
      Call(Handler::kFchownat, SYS_fchownat, {static_cast<uint64_t>(fd), Ptr(""), 3, 4, 0x8000000}),
      Response::Errno(EINVAL));
  EXPECT_EQ(Call(Handler::kFchownat, SYS_fchownat, {static_cast<uint64_t>(fd), Ptr(""), 3, 4, 0}),
            Response::Errno(ENOENT));
  EXPECT_EQ(Call(Handler::kFchownat, SYS_fchownat,
                 {static_cast<uint64_t>(fd), Ptr(""), 3, 4, AT_EMPTY_PATH}),
            Response::Return(0));
  EXPECT_EQ(FakeStat(file_).st_uid, 3u);
  EXPECT_EQ(Call(Handler::kFchown, SYS_fchown, {static_cast<uint64_t>(fd), 9, 9}),
            Response::Return(0));
  EXPECT_EQ(FakeStat(file_).st_gid, 9u);
  EXPECT_EQ(Call(Handler::kFchown, SYS_fchown, {static_cast<uint64_t>(-100), 9, 9}),
            Response::Errno(EBADF));
  close(fd);
}

TEST_F(HandlersTest, AStaleRecordIsNeverApplied) {
  EXPECT_EQ(Chown(file_, 123, 456), Response::Return(0));
  struct stat real;
  ASSERT_EQ(stat(file_.c_str(), &real), 0);
  // Replace the file; make the new one's key collide with the old record, as an
  // inode number reused by the filesystem would.
  ASSERT_EQ(unlink(file_.c_str()), 0);
  close(open(file_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  struct stat fresh;
  ASSERT_EQ(stat(file_.c_str(), &fresh), 0);
  auto old = store_.Get({real.st_dev, real.st_ino});
  ASSERT_TRUE(old && old->has_value());
  ASSERT_TRUE(store_.Put({fresh.st_dev, fresh.st_ino}, **old));
  struct stat st = FakeStat(file_);
  EXPECT_EQ(st.st_uid, fresh.st_uid);
  EXPECT_EQ(st.st_gid, fresh.st_gid);
}

TEST_F(HandlersTest, MknodMakesAPlaceholderDevice) {
  std::string node = dir_ + "/null";
  mode_t old_umask = umask(027);
  Response r =
      Call(Handler::kMknod, SYS_mknod, {Ptr(node.c_str()), S_IFCHR | 0666, (1u << 8) | 3u});
  umask(old_umask);
  EXPECT_EQ(r, Response::Return(0));
  struct stat real;
  ASSERT_EQ(lstat(node.c_str(), &real), 0);
  EXPECT_TRUE(S_ISREG(real.st_mode));
  EXPECT_EQ(real.st_mode & 0777, 0640u);  // the task's umask applies
  struct stat st = FakeStat(node);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  // Big numbers survive the kernel's 32-bit encoding.
  std::string big = dir_ + "/big";
  uint32_t dev = static_cast<uint32_t>(makedev(259, 70000));
  EXPECT_EQ(Call(Handler::kMknodat, SYS_mknodat,
                 {static_cast<uint64_t>(AT_FDCWD), Ptr(big.c_str()), S_IFBLK | 0600, dev}),
            Response::Return(0));
  st = FakeStat(big);
  EXPECT_TRUE(S_ISBLK(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 259u);
  EXPECT_EQ(minor(st.st_rdev), 70000u);
  // Like the kernel: EEXIST over anything, ENOENT for "name/".
  EXPECT_EQ(Call(Handler::kMknod, SYS_mknod, {Ptr(node.c_str()), S_IFCHR | 0666, 0}),
            Response::Errno(EEXIST));
  std::string slash = dir_ + "/new/";
  EXPECT_EQ(Call(Handler::kMknod, SYS_mknod, {Ptr(slash.c_str()), S_IFCHR | 0666, 0}),
            Response::Errno(ENOENT));
  // FIFOs and regular files are the kernel's.
  EXPECT_EQ(Call(Handler::kMknod, SYS_mknod, {Ptr(node.c_str()), S_IFIFO | 0666, 0}),
            Response::Continue());
}

TEST_F(HandlersTest, BadPointersAreEfaultInTheKernelsOrder) {
  void* unmapped = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(unmapped, MAP_FAILED);
  struct stat st;
  EXPECT_EQ(Call(Handler::kStat, SYS_stat, {0, Ptr(&st)}), Response::Errno(EFAULT));
  EXPECT_EQ(Call(Handler::kStat, SYS_stat, {Ptr(unmapped), Ptr(&st)}), Response::Errno(EFAULT));
  EXPECT_EQ(Call(Handler::kStat, SYS_stat, {Ptr(file_.c_str()), Ptr(unmapped)}),
            Response::Errno(EFAULT));
  std::string missing = dir_ + "/missing";
  EXPECT_EQ(Call(Handler::kStat, SYS_stat, {Ptr(missing.c_str()), Ptr(unmapped)}),
            Response::Errno(ENOENT));
  EXPECT_EQ(Chown(std::string(PATH_MAX, 'a'), 1, 1), Response::Errno(ENAMETOOLONG));
  EXPECT_EQ(Call(Handler::kChown, SYS_chown, {Ptr(unmapped), 1, 1}), Response::Errno(EFAULT));
  munmap(unmapped, 4096);
}

TEST_F(HandlersTest, NothingHappensOnceTheNotificationIsGone) {
  channel_.id_valid_ = false;
  EXPECT_EQ(Chown(file_, 1, 2), Response::None());
  EXPECT_EQ(store_.size(), 0u);
  std::string node = dir_ + "/dev";
  EXPECT_EQ(Call(Handler::kMknod, SYS_mknod, {Ptr(node.c_str()), S_IFCHR | 0600, 0}),
            Response::None());
  EXPECT_NE(access(node.c_str(), F_OK), 0);
}

TEST_F(HandlersTest, StatxIsOverlaidAndChecksFlags) {
  EXPECT_EQ(Chown(file_, 11, 22), Response::Return(0));
  struct statx stx {};
  EXPECT_EQ(
      Call(Handler::kStatx, SYS_statx,
           {static_cast<uint64_t>(AT_FDCWD), Ptr(file_.c_str()), 0, STATX_BASIC_STATS, Ptr(&stx)}),
      Response::Return(0));
  EXPECT_EQ(stx.stx_uid, 11u);
  EXPECT_EQ(stx.stx_gid, 22u);
  EXPECT_EQ(Call(Handler::kStatx, SYS_statx,
                 {static_cast<uint64_t>(AT_FDCWD), Ptr(file_.c_str()), AT_STATX_SYNC_TYPE,
                  STATX_BASIC_STATS, Ptr(&stx)}),
            Response::Errno(EINVAL));
  EXPECT_EQ(
      Call(Handler::kStatx, SYS_statx,
           {static_cast<uint64_t>(AT_FDCWD), Ptr(file_.c_str()), 0, STATX__RESERVED, Ptr(&stx)}),
      Response::Errno(EINVAL));
  // A NULL path with AT_EMPTY_PATH names the fd (Linux >= 6.11).
  int fd = open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  stx = {};
  EXPECT_EQ(Call(Handler::kStatx, SYS_statx,
                 {static_cast<uint64_t>(fd), 0, AT_EMPTY_PATH, STATX_BASIC_STATS, Ptr(&stx)}),
            Response::Return(0));
  EXPECT_EQ(stx.stx_uid, 11u);
  struct stat st {};
  EXPECT_EQ(Call(Handler::kFstat, SYS_fstat, {static_cast<uint64_t>(fd), Ptr(&st)}),
            Response::Return(0));
  EXPECT_EQ(st.st_gid, 22u);
  close(fd);
}

}  // namespace
}  // namespace fauxroot

namespace fauxroot {
namespace {

// What a db already holds decides which calls the kernel may run at once.
TEST(FakeMetadataTest, ScanFindsFakeGroupsAndAccessAcls) {
  MemoryStore store;
  auto empty = FakeMetadata::Scan(&store);
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->fake_group_dirs);
  EXPECT_FALSE(empty->access_acls);

  InodeRecord owner;
  owner.uid = 5;
  ASSERT_TRUE(store.Put({1, 1}, owner).has_value());
  auto owned = FakeMetadata::Scan(&store);
  EXPECT_FALSE(owned->fake_group_dirs);
  EXPECT_FALSE(owned->access_acls);

  InodeRecord acl;
  acl.gid = 42;
  acl.SetXattr(kAclAccess, "\x02\x00\x00\x00");
  ASSERT_TRUE(store.Put({1, 2}, acl).has_value());
  auto both = FakeMetadata::Scan(&store);
  EXPECT_TRUE(both->fake_group_dirs);
  EXPECT_TRUE(both->access_acls);
}

}  // namespace
}  // namespace fauxroot
