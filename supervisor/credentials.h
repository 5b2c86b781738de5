// Fake credentials: what a task believes its ids are, and Linux's rules for
// changing them.
//
// Every task of the build step really is uid 0 in its user namespace (only the
// invoking user is mapped), so set*id to any other id would fail with EINVAL.
// The supervisor keeps, per task, the credentials the task would have under
// real root, applies set*id with the kernel's permission rules (kernel/sys.c),
// and answers get*id from them. "Privileged" means CAP_SETUID/CAP_SETGID in
// the effective set, which for a root-derived task is "euid == 0": the kernel
// clears the effective capabilities when euid leaves 0 and restores them when it
// returns, which it may only do while 0 is still the real or saved uid.
//
// The rules are pure functions over a Credentials value, so that they can be
// tested against the kernel's behaviour without any task.
//
// Capabilities are modelled as far as set*id needs them: the permitted and
// effective sets, with the kernel's fix-ups on uid changes (cap_emulate_setxuid),
// PR_SET_KEEPCAPS, capset and the recomputation at exec for root. Programs such
// as setpriv drop uids first and restore effective capabilities with capset to
// change gids afterwards; that works as under real root.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace fauxroot {

inline constexpr uint32_t kUnchanged = static_cast<uint32_t>(-1);  // the -1 of set*id
inline constexpr size_t kMaxGroups = 65536;                        // NGROUPS_MAX

// Capability bits (linux/capability.h) and the sets the model uses.
inline constexpr uint64_t Cap(int bit) { return uint64_t{1} << bit; }
inline constexpr int kCapChown = 0, kCapDacOverride = 1, kCapDacReadSearch = 2, kCapFowner = 3,
                     kCapFsetid = 4, kCapSetgid = 6, kCapSetuid = 7, kCapLinuxImmutable = 9,
                     kCapSysAdmin = 21, kCapMknod = 27, kCapSetfcap = 31, kCapMacOverride = 32,
                     kCapLastCap = 40;
inline constexpr uint64_t kAllCaps = (uint64_t{1} << (kCapLastCap + 1)) - 1;
// CAP_FS_MASK: what the kernel drops from the effective set when fsuid leaves 0.
inline constexpr uint64_t kFsCaps = Cap(kCapChown) | Cap(kCapDacOverride) | Cap(kCapDacReadSearch) |
                                    Cap(kCapFowner) | Cap(kCapFsetid) | Cap(kCapLinuxImmutable) |
                                    Cap(kCapMknod) | Cap(kCapMacOverride);

struct Credentials {
  uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  // Real root's usual supplementary groups: just 0.
  std::vector<gid_t> groups{0};
  uint64_t cap_permitted = kAllCaps;
  uint64_t cap_effective = kAllCaps;
  bool keep_caps = false;  // PR_SET_KEEPCAPS

  bool Capable(int cap) const { return (cap_effective & Cap(cap)) != 0; }
  // The file-system privileges of root: owner-independent chown, chmod, mknod.
  bool fs_privileged() const { return Capable(kCapChown) && Capable(kCapFowner); }
  bool IsDefault() const { return *this == Credentials{}; }
  // True when `gid` is the fs gid or a supplementary group (in_group_p).
  bool InGroup(gid_t gid) const;
  bool operator==(const Credentials&) const = default;
};

// Each returns 0 or the errno the kernel would return, and changes `c` only on
// success. -1 (kUnchanged) arguments mean "leave as is" where the call allows.
int SetUid(Credentials& c, uint32_t uid);
int SetGid(Credentials& c, uint32_t gid);
int SetReuid(Credentials& c, uint32_t ruid, uint32_t euid);
int SetRegid(Credentials& c, uint32_t rgid, uint32_t egid);
int SetResuid(Credentials& c, uint32_t ruid, uint32_t euid, uint32_t suid);
int SetResgid(Credentials& c, uint32_t rgid, uint32_t egid, uint32_t sgid);
// setfsuid/setfsgid never fail: they return the previous value, and change it
// only when allowed.
uid_t SetFsuid(Credentials& c, uint32_t fsuid);
gid_t SetFsgid(Credentials& c, uint32_t fsgid);
int SetGroups(Credentials& c, const gid_t* groups, size_t count);
// capset: the new sets may only shrink the permitted set, and effective must lie
// within permitted (inheritable is not modelled).
int SetCapabilities(Credentials& c, uint64_t effective, uint64_t permitted);

// execve: a set-user-ID file (S_ISUID) gives its owner as euid, a set-group-ID
// file (S_ISGID with group execute) its group as egid; then the saved ids take
// the effective ones and the fs ids follow, as the kernel's bprm creds do.
// Capabilities are recomputed as for a file without file capabilities: full
// when the real or effective uid is 0, effective only when euid is 0.
void ApplyExec(Credentials& c, mode_t file_mode, uid_t file_uid, gid_t file_gid);

}  // namespace fauxroot
