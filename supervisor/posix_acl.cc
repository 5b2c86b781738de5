#include "supervisor/posix_acl.h"

#include <errno.h>
#include <string.h>

namespace fauxroot {
namespace {

constexpr uint32_t kAclVersion = 2;
constexpr uint16_t kUserObj = 0x01, kUser = 0x02, kGroupObj = 0x04, kGroup = 0x08, kMask = 0x10,
                   kOther = 0x20;
constexpr size_t kHeaderSize = 4, kEntrySize = 8;

template <typename T>
T Get(const char* p) {
  T v;
  memcpy(&v, p, sizeof v);  // the xattr form is little-endian, as is x86_64
  return v;
}

}  // namespace

std::expected<std::vector<AclEntry>, int> ParseAcl(std::string_view value) {
  if (value.size() < kHeaderSize || (value.size() - kHeaderSize) % kEntrySize != 0 ||
      Get<uint32_t>(value.data()) != kAclVersion) {
    return std::unexpected(EINVAL);
  }
  std::vector<AclEntry> entries;
  for (size_t at = kHeaderSize; at < value.size(); at += kEntrySize) {
    entries.push_back({Get<uint16_t>(value.data() + at), Get<uint16_t>(value.data() + at + 2),
                       Get<uint32_t>(value.data() + at + 4)});
  }
  // posix_acl_valid: tags in order, one of each *_OBJ, OTHER and (with named
  // entries) MASK, named entries sorted by id without duplicates, perms rwx.
  int user_obj = 0, group_obj = 0, other = 0, mask = 0, named = 0;
  uint16_t last_tag = 0;
  int64_t last_id = -1;
  for (const AclEntry& e : entries) {
    if (e.perm & ~7) return std::unexpected(EINVAL);
    if (e.tag < last_tag) return std::unexpected(EINVAL);
    if (e.tag != last_tag) last_id = -1;
    switch (e.tag) {
      case kUserObj:
        ++user_obj;
        break;
      case kGroupObj:
        ++group_obj;
        break;
      case kOther:
        ++other;
        break;
      case kMask:
        ++mask;
        break;
      case kUser:
      case kGroup:
        if (static_cast<int64_t>(e.id) <= last_id) return std::unexpected(EINVAL);
        last_id = e.id;
        ++named;
        break;
      default:
        return std::unexpected(EINVAL);
    }
    last_tag = e.tag;
  }
  if (user_obj != 1 || group_obj != 1 || other != 1 || mask > 1 || (named > 0 && mask == 0)) {
    return std::unexpected(EINVAL);
  }
  return entries;
}

std::string FormatAcl(const std::vector<AclEntry>& entries) {
  std::string out(kHeaderSize + kEntrySize * entries.size(), '\0');
  memcpy(out.data(), &kAclVersion, 4);
  size_t at = kHeaderSize;
  for (const AclEntry& e : entries) {
    memcpy(out.data() + at, &e.tag, 2);
    memcpy(out.data() + at + 2, &e.perm, 2);
    memcpy(out.data() + at + 4, &e.id, 4);
    at += kEntrySize;
  }
  return out;
}

AclMode ModeOfAcl(const std::vector<AclEntry>& entries) {
  mode_t owner = 0, group = 0, other = 0, mask = 0;
  bool has_mask = false, equivalent = true;
  for (const AclEntry& e : entries) {
    switch (e.tag) {
      case kUserObj:
        owner = e.perm;
        break;
      case kGroupObj:
        group = e.perm;
        break;
      case kOther:
        other = e.perm;
        break;
      case kMask:
        mask = e.perm;
        has_mask = true;
        equivalent = false;
        break;
      default:
        equivalent = false;
    }
  }
  return {static_cast<mode_t>((owner << 6) | ((has_mask ? mask : group) << 3) | other), equivalent};
}

void ChmodAcl(std::vector<AclEntry>& entries, mode_t mode) {
  bool has_mask = false;
  for (const AclEntry& e : entries) has_mask |= e.tag == kMask;
  for (AclEntry& e : entries) {
    if (e.tag == kUserObj) e.perm = (mode >> 6) & 7;
    if (e.tag == (has_mask ? kMask : kGroupObj)) e.perm = (mode >> 3) & 7;
    if (e.tag == kOther) e.perm = mode & 7;
  }
}

}  // namespace fauxroot
