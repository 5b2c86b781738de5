#include "db/text_format.h"

#include <gtest/gtest.h>

namespace fauxroot {
namespace {

TEST(TextFormatTest, RoundTrips) {
  InodeKey key{0xfd01, 1234};
  InodeRecord record{0xabcdef, 123, 456, 060000, 0x803};
  std::string line = FormatRecordLine(key, record);
  EXPECT_EQ(line, "dev=fd01,ino=1234,gen=abcdef,uid=123,gid=456,type=60000,rdev=803");
  auto parsed = ParseRecordLine(line);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->first, key);
  EXPECT_EQ(parsed->second, record);
}

TEST(TextFormatTest, AttributesRoundTrip) {
  InodeRecord record{1, 0, 0, 0, 0};
  record.SetXattr("security.capability", std::string("\x00\x00\x00\x02\xff", 5));
  std::string line = FormatRecordLine({1, 2}, record);
  EXPECT_NE(line.find(",xattr=security.capability:00000002ff"), std::string::npos) << line;
  auto parsed = ParseRecordLine(line);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->second, record);
  EXPECT_FALSE(ParseRecordLine("dev=1,ino=1,xattr=a:0"));
  EXPECT_FALSE(ParseRecordLine("dev=1,ino=1,xattr=a:zz"));
}

TEST(TextFormatTest, ReadsFakerootSaveLines) {
  // A line of fakeroot's -s file: unknown fields are ignored.
  auto parsed = ParseRecordLine("dev=fd01,ino=42,mode=100644,uid=7,gid=8,nlink=1,rdev=0");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->first, (InodeKey{0xfd01, 42}));
  EXPECT_EQ(parsed->second.uid, 7u);
  EXPECT_EQ(parsed->second.gid, 8u);
}

TEST(TextFormatTest, RejectsBadLines) {
  EXPECT_FALSE(ParseRecordLine("uid=1,gid=2"));                  // no key
  EXPECT_FALSE(ParseRecordLine("dev=zz,ino=1"));                 // not hex
  EXPECT_FALSE(ParseRecordLine("dev=1,ino=1,uid=99999999999"));  // out of range
  EXPECT_FALSE(ParseRecordLine("dev=1,ino"));                    // no '='
}

}  // namespace
}  // namespace fauxroot
