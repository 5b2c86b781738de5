#include "db/record_codec.h"

#include <gtest/gtest.h>

namespace fauxroot {
namespace {

TEST(RecordCodecTest, KeyRoundTripsAndSortsNumerically) {
  InodeKey a{0x0102, 7}, b{0x0102, 0x100};
  auto ea = EncodeKey(a), eb = EncodeKey(b);
  EXPECT_LT(ea, eb);  // byte order is numeric order
  EXPECT_EQ(*DecodeKey(ea), a);
  EXPECT_EQ(*DecodeKey(eb), b);
}

TEST(RecordCodecTest, RecordRoundTrips) {
  InodeRecord r{0x1122334455667788, 123, 456, 020000, 0x0103};
  EXPECT_EQ(*DecodeRecord(EncodeRecord(r)), r);
}

TEST(RecordCodecTest, RecordsWithAttributesRoundTrip) {
  InodeRecord r{1, 2, 3, 0, 0};
  r.SetXattr("security.capability", std::string("\x01\x00\x00\x02\x00\x20", 6));
  r.SetXattr("system.posix_acl_access", std::string(44, '\x07'));
  r.SetXattr("security.capability", "replaced");
  ASSERT_EQ(r.xattrs.size(), 2u);
  EXPECT_EQ(r.xattrs[0].name, "security.capability");  // sorted
  auto bytes = EncodeRecord(r);
  EXPECT_EQ(bytes[0], 2);
  EXPECT_EQ(*DecodeRecord(bytes), r);
  bytes.pop_back();
  EXPECT_FALSE(DecodeRecord(bytes));  // truncated
  bytes = EncodeRecord(r);
  bytes.push_back(0);
  EXPECT_FALSE(DecodeRecord(bytes));  // trailing garbage
  EXPECT_TRUE(r.RemoveXattr("security.capability"));
  EXPECT_FALSE(r.RemoveXattr("security.capability"));
  EXPECT_EQ(EncodeRecord(InodeRecord{})[0], 1);  // no attributes: v1
}

TEST(RecordCodecTest, RejectsUnknownVersionAndWrongSizes) {
  auto bytes = EncodeRecord(InodeRecord{});
  bytes[0] = 9;
  auto bad_version = DecodeRecord(bytes);
  ASSERT_FALSE(bad_version);
  EXPECT_NE(bad_version.error().message().find("version 9"), std::string::npos);
  std::vector<uint8_t> good = EncodeRecord(InodeRecord{});
  EXPECT_FALSE(DecodeRecord(std::span(good).first(10)));
  EXPECT_FALSE(DecodeRecord({}));
  EXPECT_FALSE(DecodeKey(std::span(good).first(15)));
}

}  // namespace
}  // namespace fauxroot
