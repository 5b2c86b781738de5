#include "supervisor/credentials.h"

#include <errno.h>
#include <sys/stat.h>

#include <algorithm>

namespace fauxroot {
namespace {

bool OneOf(uint32_t id, uint32_t a, uint32_t b, uint32_t c) {
  return id == a || id == b || id == c;
}

// The kernel's capability fix-ups after a change of uids (cap_emulate_setxuid).
void FixCapsAfterUidChange(Credentials& c, const Credentials& old) {
  const bool had_root = old.ruid == 0 || old.euid == 0 || old.suid == 0;
  const bool has_root = c.ruid == 0 || c.euid == 0 || c.suid == 0;
  if (had_root && !has_root && !c.keep_caps) c.cap_permitted = c.cap_effective = 0;
  if (old.euid == 0 && c.euid != 0) c.cap_effective = 0;
  if (old.euid != 0 && c.euid == 0) c.cap_effective = c.cap_permitted;
}

// The shared shape of setuid/setgid: privileged sets all four, otherwise only
// the effective (and fs) id, to the real or saved id.
template <typename Id>
int SetOne(bool privileged, Id& r, Id& e, Id& s, Id& fs, uint32_t id) {
  if (id == kUnchanged) return EINVAL;
  if (privileged) {
    r = s = id;
  } else if (id != r && id != s) {
    return EPERM;
  }
  e = fs = id;
  return 0;
}

template <typename Id>
int SetRe(bool privileged, Id& r, Id& e, Id& s, Id& fs, uint32_t new_r, uint32_t new_e) {
  if (new_r != kUnchanged && !privileged && new_r != r && new_r != e) return EPERM;
  if (new_e != kUnchanged && !privileged && !OneOf(new_e, r, e, s)) return EPERM;
  Id old_r = r;
  if (new_r != kUnchanged) r = new_r;
  if (new_e != kUnchanged) e = new_e;
  if (new_r != kUnchanged || (new_e != kUnchanged && new_e != old_r)) s = e;
  fs = e;
  return 0;
}

template <typename Id>
int SetRes(bool privileged, Id& r, Id& e, Id& s, Id& fs, uint32_t new_r, uint32_t new_e,
           uint32_t new_s) {
  if (!privileged) {
    for (uint32_t id : {new_r, new_e, new_s}) {
      if (id != kUnchanged && !OneOf(id, r, e, s)) return EPERM;
    }
  }
  if (new_r != kUnchanged) r = new_r;
  if (new_e != kUnchanged) e = new_e;
  if (new_s != kUnchanged) s = new_s;
  fs = e;
  return 0;
}

template <typename Id>
Id SetFs(bool privileged, Id r, Id e, Id s, Id& fs, uint32_t id) {
  Id old = fs;
  if (id != kUnchanged && (privileged || OneOf(id, r, e, s) || id == fs)) fs = id;
  return old;
}

// Runs a uid change and the capability fix-ups that follow it.
template <typename Fn>
int ChangeUids(Credentials& c, Fn&& fn) {
  const Credentials old = c;
  int err = fn(c.Capable(kCapSetuid));
  if (err == 0) FixCapsAfterUidChange(c, old);
  return err;
}

}  // namespace

bool Credentials::InGroup(gid_t gid) const {
  return gid == fsgid || std::find(groups.begin(), groups.end(), gid) != groups.end();
}

int SetUid(Credentials& c, uint32_t uid) {
  return ChangeUids(c, [&](bool cap) { return SetOne(cap, c.ruid, c.euid, c.suid, c.fsuid, uid); });
}
int SetReuid(Credentials& c, uint32_t ruid, uint32_t euid) {
  return ChangeUids(
      c, [&](bool cap) { return SetRe(cap, c.ruid, c.euid, c.suid, c.fsuid, ruid, euid); });
}
int SetResuid(Credentials& c, uint32_t ruid, uint32_t euid, uint32_t suid) {
  return ChangeUids(
      c, [&](bool cap) { return SetRes(cap, c.ruid, c.euid, c.suid, c.fsuid, ruid, euid, suid); });
}
int SetGid(Credentials& c, uint32_t gid) {
  return SetOne(c.Capable(kCapSetgid), c.rgid, c.egid, c.sgid, c.fsgid, gid);
}
int SetRegid(Credentials& c, uint32_t rgid, uint32_t egid) {
  return SetRe(c.Capable(kCapSetgid), c.rgid, c.egid, c.sgid, c.fsgid, rgid, egid);
}
int SetResgid(Credentials& c, uint32_t rgid, uint32_t egid, uint32_t sgid) {
  return SetRes(c.Capable(kCapSetgid), c.rgid, c.egid, c.sgid, c.fsgid, rgid, egid, sgid);
}
uid_t SetFsuid(Credentials& c, uint32_t fsuid) {
  uid_t old = SetFs(c.Capable(kCapSetuid), c.ruid, c.euid, c.suid, c.fsuid, fsuid);
  // The kernel's fs capability fix-up for setfsuid.
  if (old == 0 && c.fsuid != 0) c.cap_effective &= ~kFsCaps;
  if (old != 0 && c.fsuid == 0) c.cap_effective |= c.cap_permitted & kFsCaps;
  return old;
}
gid_t SetFsgid(Credentials& c, uint32_t fsgid) {
  return SetFs(c.Capable(kCapSetgid), c.rgid, c.egid, c.sgid, c.fsgid, fsgid);
}

int SetCapabilities(Credentials& c, uint64_t effective, uint64_t permitted) {
  if ((permitted & ~c.cap_permitted) != 0 || (effective & ~permitted) != 0) return EPERM;
  c.cap_permitted = permitted;
  c.cap_effective = effective;
  return 0;
}

int SetGroups(Credentials& c, const gid_t* groups, size_t count) {
  if (!c.Capable(kCapSetgid)) return EPERM;
  if (count > kMaxGroups) return EINVAL;
  c.groups.assign(groups, groups + count);
  // The kernel keeps the list sorted (groups_sort); getgroups returns it so.
  std::sort(c.groups.begin(), c.groups.end());
  return 0;
}

void ApplyExec(Credentials& c, mode_t file_mode, uid_t file_uid, gid_t file_gid) {
  if (file_mode & S_ISUID) c.euid = file_uid;
  if ((file_mode & S_ISGID) && (file_mode & S_IXGRP)) c.egid = file_gid;
  c.suid = c.fsuid = c.euid;
  c.sgid = c.fsgid = c.egid;
  c.cap_permitted = (c.ruid == 0 || c.euid == 0) ? kAllCaps : 0;
  c.cap_effective = c.euid == 0 ? c.cap_permitted : 0;
  c.keep_caps = false;
}

}  // namespace fauxroot
