#include "supervisor/posix_acl.h"

#include <errno.h>
#include <gtest/gtest.h>

namespace fauxroot {
namespace {

constexpr uint16_t kUserObj = 1, kUser = 2, kGroupObj = 4, kGroup = 8, kMask = 0x10, kOther = 0x20;

TEST(PosixAclTest, ParsesFormatsAndGivesTheMode) {
  std::vector<AclEntry> acl = {{kUserObj, 6, ~0u}, {kUser, 7, 1000}, {kGroupObj, 4, ~0u},
                               {kGroup, 4, 2000},  {kMask, 7, ~0u},  {kOther, 4, ~0u}};
  auto parsed = ParseAcl(FormatAcl(acl));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->size(), 6u);
  AclMode mode = ModeOfAcl(*parsed);
  EXPECT_EQ(mode.permissions, 0674u);  // the mask stands for the group bits
  EXPECT_FALSE(mode.equivalent);
  ChmodAcl(*parsed, 0640);
  EXPECT_EQ(ModeOfAcl(*parsed).permissions, 0640u);
  EXPECT_EQ((*parsed)[1].perm, 7) << "named entries keep their permissions";
}

TEST(PosixAclTest, AMinimalAclIsEquivalentToAMode) {
  std::vector<AclEntry> acl = {{kUserObj, 6, ~0u}, {kGroupObj, 4, ~0u}, {kOther, 0, ~0u}};
  AclMode mode = ModeOfAcl(acl);
  EXPECT_TRUE(mode.equivalent);
  EXPECT_EQ(mode.permissions, 0640u);
}

TEST(PosixAclTest, RejectsInvalidAcls) {
  EXPECT_EQ(ParseAcl("").error(), EINVAL);
  EXPECT_EQ(ParseAcl(std::string("\x01\0\0\0", 4)).error(), EINVAL);  // version 1
  // Named entry without a mask.
  EXPECT_FALSE(
      ParseAcl(FormatAcl({{kUserObj, 6, 0}, {kUser, 7, 5}, {kGroupObj, 4, 0}, {kOther, 4, 0}})));
  // Out of order.
  EXPECT_FALSE(ParseAcl(FormatAcl({{kGroupObj, 4, 0}, {kUserObj, 6, 0}, {kOther, 4, 0}})));
  // Bad permission bits.
  EXPECT_FALSE(ParseAcl(FormatAcl({{kUserObj, 9, 0}, {kGroupObj, 4, 0}, {kOther, 4, 0}})));
  // Truncated entry.
  std::string value = FormatAcl({{kUserObj, 6, 0}, {kGroupObj, 4, 0}, {kOther, 4, 0}});
  value.pop_back();
  EXPECT_FALSE(ParseAcl(value));
}

}  // namespace
}  // namespace fauxroot
