// POSIX ACLs in their xattr form (system.posix_acl_access/_default), and how
// they interact with the file mode, as the kernel's fs/posix_acl.c does.
//
// The supervisor keeps ACLs in the db (they name users and groups the user
// namespace does not map, which the kernel would refuse), so it also does what
// the kernel does around them: setting an access ACL sets the mode's
// permission bits (and an ACL equivalent to a mode is not kept at all), and a
// chmod rewrites the stored ACL's owner, mask and other entries.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace fauxroot {

inline constexpr char kAclAccess[] = "system.posix_acl_access";
inline constexpr char kAclDefault[] = "system.posix_acl_default";

struct AclEntry {
  uint16_t tag;
  uint16_t perm;
  uint32_t id;
};

// The entries of an xattr value; EINVAL for a malformed or invalid ACL.
std::expected<std::vector<AclEntry>, int> ParseAcl(std::string_view value);
std::string FormatAcl(const std::vector<AclEntry>& entries);

// The permission bits an access ACL gives the file, and whether the ACL says
// nothing more than they do (only the owner, group and other entries).
struct AclMode {
  mode_t permissions;
  bool equivalent;
};
AclMode ModeOfAcl(const std::vector<AclEntry>& entries);

// posix_acl_chmod: the owner, mask (or group) and other entries take `mode`'s bits.
void ChmodAcl(std::vector<AclEntry>& entries, mode_t mode);

}  // namespace fauxroot
