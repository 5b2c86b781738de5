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

TEST(RecordCodecTest, RejectsUnknownVersionAndWrongSizes) {
  auto bytes = EncodeRecord(InodeRecord{});
  bytes[0] = 9;
  auto bad_version = DecodeRecord(bytes);
  ASSERT_FALSE(bad_version);
  EXPECT_NE(bad_version.error().message().find("version 9"), std::string::npos);
  auto good = EncodeRecord(InodeRecord{});
  EXPECT_FALSE(DecodeRecord(std::span(good).first(10)));
  EXPECT_FALSE(DecodeRecord({}));
  EXPECT_FALSE(DecodeKey(std::span(good).first(15)));
}

}  // namespace
}  // namespace fauxroot
