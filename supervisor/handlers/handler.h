// Syscall handlers: each emulates one family for a notification and answers a
// value. They reach nothing global; everything comes through HandlerContext.
//
// Contract of every handler:
// - it returns exactly the errno the kernel would give for the call (EFAULT for
//   a bad pointer, ENAMETOOLONG, ENOENT, EPERM, ...), never success after an
//   internal failure;
// - it re-checks NOTIF_ID_VALID after reading the target's memory and /proc
//   entries and before any side effect (a record, a file, a write into the
//   target), and answers kNone when the notification is gone;
// - it is safe to replay: the kernel may deliver the same call again after a
//   signal when WAIT_KILLABLE_RECV is unavailable.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>

#include "supervisor/fake_metadata.h"
#include "supervisor/notify_channel.h"
#include "supervisor/path_resolver.h"
#include "supervisor/syscall_table.h"
#include "supervisor/task_handles.h"
#include "supervisor/task_table.h"

namespace fauxroot {

struct Response {
  enum class Kind : uint8_t {
    kContinue,  // let the kernel run the call as the target made it
    kReturn,    // return `value` (>= 0)
    kErrno,     // fail with errno `value`
    kSent,      // the handler has answered itself (a created file handed over with ADDFD)
    kNone,      // the notification is gone (target died or was interrupted): send nothing
  };
  Kind kind;
  int64_t value = 0;

  static Response Continue() { return {Kind::kContinue}; }
  static Response Return(int64_t v) { return {Kind::kReturn, v}; }
  static Response Errno(int e) { return {Kind::kErrno, e}; }
  static Response Sent() { return {Kind::kSent}; }
  static Response None() { return {Kind::kNone}; }
  bool operator==(const Response&) const = default;
};

struct HandlerContext {
  NotifyChannel* channel;
  const PathResolver* resolver;
  FakeMetadata* metadata;
  TaskTable* tasks;
  TaskHandles* handles = nullptr;  // the resolver's task handles, told of root changes
};

// Runs the handler for `handler` (never kNone).
Response Dispatch(Handler handler, HandlerContext& ctx, const struct seccomp_notif& notif);

// Family handlers, dispatched by Dispatch.
Response HandleChown(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleMknod(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleStat(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleCredentials(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleExec(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleCreate(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleChmod(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleXattr(HandlerContext& ctx, const struct seccomp_notif& notif, Handler which);
Response HandleMount(HandlerContext& ctx, const struct seccomp_notif& notif);
// mknod of a FIFO, socket or regular file (create.cc).
Response HandleCreateNode(HandlerContext& ctx, const struct seccomp_notif& notif, int dirfd,
                          uint64_t path, mode_t mode);

// Helpers shared by the handlers.
inline int ArgInt(const struct seccomp_notif& n, int i) {
  return static_cast<int>(static_cast<uint32_t>(n.data.args[i]));
}
inline uint32_t ArgU32(const struct seccomp_notif& n, int i) {
  return static_cast<uint32_t>(n.data.args[i]);
}

// The task's umask, from /proc/TID/status (about 16 us: used only where a call
// must be emulated rather than continued).
Expected<mode_t> TaskUmask(const HandlerContext& ctx, pid_t tid);
// The task's process id in its own pid namespace (what getpid() returns there).
Expected<pid_t> TaskNamespacePid(const HandlerContext& ctx, pid_t tid);

// The owner a new directory entry made by task `tid` in `parent_dir` gets, when
// it is not root's: the task's fsuid and fsgid, or the directory's (fake) group
// when the directory is set-group-ID. nullopt when nothing needs recording.
struct Owner {
  uid_t uid;
  gid_t gid;
};
Expected<std::optional<Owner>> OwnerOfNewEntry(HandlerContext& ctx, pid_t tid, int parent_dir);

// Reads the path argument at `address` and resolves it for the notification's
// task. `allow_null_empty`: a NULL pointer counts as "" (the stat calls with
// AT_EMPTY_PATH, Linux >= 6.11).
Expected<UniqueFd> ResolvePathArg(HandlerContext& ctx, const struct seccomp_notif& notif, int dirfd,
                                  uint64_t address, unsigned resolve_flags,
                                  bool allow_null_empty = false);

}  // namespace fauxroot
