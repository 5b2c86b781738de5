#include "supervisor/target_memory.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace fauxroot {
namespace {

// The test process is its own target: process_vm_readv on ourselves needs no privilege.
class TargetMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Two pages, the second unmapped: strings can end right at the boundary.
    pages_ = static_cast<char*>(
        mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(pages_, MAP_FAILED);
    ASSERT_EQ(munmap(pages_ + kPage, kPage), 0);
  }
  void TearDown() override { munmap(pages_, kPage); }
  uint64_t Address(const void* p) { return reinterpret_cast<uint64_t>(p); }

  static constexpr size_t kPage = 4096;
  char* pages_ = nullptr;
  pid_t tid_ = gettid();
};

TEST_F(TargetMemoryTest, ReadsAPath) {
  const char* text = "/etc/passwd";
  PathBuffer out;
  ASSERT_TRUE(ReadTargetPath(tid_, Address(text), &out));
  EXPECT_EQ(out.view(), "/etc/passwd");
}

TEST_F(TargetMemoryTest, ReadsAPathEndingAtAnUnmappedPage) {
  char* s = pages_ + kPage - 4;
  memcpy(s, "abc", 4);
  PathBuffer out;
  ASSERT_TRUE(ReadTargetPath(tid_, Address(s), &out));
  EXPECT_EQ(out.view(), "abc");
}

TEST_F(TargetMemoryTest, UnterminatedPathRunningIntoAnUnmappedPageIsEfault) {
  char* s = pages_ + kPage - 4;
  memcpy(s, "abcd", 4);
  PathBuffer out;
  EXPECT_EQ(ReadTargetPath(tid_, Address(s), &out).error(), EFAULT);
}

TEST_F(TargetMemoryTest, NullAndWildPointersAreEfault) {
  PathBuffer out;
  EXPECT_EQ(ReadTargetPath(tid_, 0, &out).error(), EFAULT);
  EXPECT_EQ(ReadTargetPath(tid_, 0xdead000000000000ULL, &out).error(), EFAULT);
  char buffer[8];
  EXPECT_EQ(ReadTargetMemory(tid_, Address(pages_ + kPage - 4), buffer, 8).error(), EFAULT);
  EXPECT_EQ(WriteTargetMemory(tid_, Address(pages_ + kPage), buffer, 8).error(), EFAULT);
}

TEST_F(TargetMemoryTest, PathsOfPathMaxAreTooLong) {
  std::string ok(PATH_MAX - 1, 'a');
  PathBuffer out;
  ASSERT_TRUE(ReadTargetPath(tid_, Address(ok.c_str()), &out));
  EXPECT_EQ(out.size(), static_cast<size_t>(PATH_MAX - 1));
  std::string too_long(PATH_MAX, 'a');
  EXPECT_EQ(ReadTargetPath(tid_, Address(too_long.c_str()), &out).error(), ENAMETOOLONG);
}

TEST_F(TargetMemoryTest, WritesIntoTheTarget) {
  char buffer[16] = {};
  ASSERT_TRUE(WriteTargetMemory(tid_, Address(buffer), "hello", 6));
  EXPECT_STREQ(buffer, "hello");
  char back[6];
  ASSERT_TRUE(ReadTargetMemory(tid_, Address(buffer), back, 6));
  EXPECT_STREQ(back, "hello");
}

TEST_F(TargetMemoryTest, AVanishedTaskIsEsrch) {
  PathBuffer out;
  const char* text = "x";
  // pid_max is below 2^22 here; a tid this large is never alive.
  EXPECT_EQ(ReadTargetPath(0x7ffffff0, Address(text), &out).error(), ESRCH);
}

}  // namespace
}  // namespace fauxroot
