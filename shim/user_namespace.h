// The single-uid user namespace that fauxroot and its build step share.
//
// EnterUserNamespace() moves the calling (single-threaded) process into a new
// user namespace that maps only the caller's uid and gid to 0 ("0 UID 1",
// setgroups denied). It needs no privilege, no newuidmap and no /etc/subuid.
//
// The supervisor enters it itself, before it starts the build step, for two
// reasons: the step (in the same user namespace, with its own mount and pid
// namespaces) and the supervisor then have the same permissions on every file,
// so the supervisor resolves paths with the step's access rights; and stat in
// the supervisor already reports ids as the step sees them (the caller's files as
// 0, unmapped ids as the overflow id 65534). The supervisor gains nothing beyond
// the user's own rights: capabilities in a user namespace only reach what that
// namespace owns.
#pragma once

#include <sys/types.h>

#include "common/result.h"

namespace fauxroot {

struct IdentityMap {
  uid_t outer_uid;  // the invoking user's ids, mapped to 0 inside
  gid_t outer_gid;
};

// Unshares the user namespace and writes its maps. On a kernel or system that
// forbids unprivileged user namespaces the error says which knob to look at.
Result<IdentityMap> EnterUserNamespace();

}  // namespace fauxroot
