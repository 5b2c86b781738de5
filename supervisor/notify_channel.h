// NotifyChannel: the kernel's seccomp user-notification protocol behind a small
// interface, so that the supervisor loop can be tested without a kernel.
//
// KernelNotifyChannel speaks it with raw ioctls on a listener fd (libseccomp
// 2.5.4's helpers fold every ioctl error into -ECANCELED, which hides the
// difference between "target gone" and "interrupted").
#pragma once

#include <linux/seccomp.h>

#include <cstdint>

#include "common/result.h"
#include "common/unique_fd.h"

namespace fauxroot {

enum class ReceiveStatus {
  kOk,     // *notif holds a notification
  kRetry,  // nothing to do now (EINTR, or the notification vanished: ENOENT)
};

enum class SendStatus {
  kOk,
  kTargetGone,  // ENOENT: the target died or was interrupted; normal
};

class NotifyChannel {
 public:
  virtual ~NotifyChannel() = default;
  // Receives one notification. Blocks until one arrives: call it only after poll
  // reported the fd readable (with no task left it would block for ever).
  virtual Result<ReceiveStatus> Receive(struct seccomp_notif* notif) = 0;
  virtual Result<SendStatus> Send(const struct seccomp_notif_resp& resp) = 0;
  // True while the notification `id` is still pending: its task is alive and still
  // blocked in that syscall, so its tid still names it.
  virtual bool IdValid(uint64_t id) = 0;
  // Installs `fd` in the target as the result of notification `id`
  // (SECCOMP_IOCTL_NOTIF_ADDFD with SEND, Linux 5.14): the call returns the new fd
  // number; no Send follows. `cloexec` gives it O_CLOEXEC.
  virtual Result<SendStatus> SendFd(uint64_t id, int fd, bool cloexec) = 0;
  // The fd to poll for readability, or -1.
  virtual int fd() const = 0;
};

class KernelNotifyChannel final : public NotifyChannel {
 public:
  // Takes the listener fd; checks the kernel's structure sizes against ours.
  static Result<KernelNotifyChannel> Create(UniqueFd listener);

  Result<ReceiveStatus> Receive(struct seccomp_notif* notif) override;
  Result<SendStatus> Send(const struct seccomp_notif_resp& resp) override;
  bool IdValid(uint64_t id) override;
  Result<SendStatus> SendFd(uint64_t id, int fd, bool cloexec) override;
  int fd() const override { return listener_.get(); }

  // Asks the kernel to wake the target on the supervisor's CPU when answering
  // (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6). Returns false where unsupported.
  bool EnableSyncWakeUp();

 private:
  explicit KernelNotifyChannel(UniqueFd listener) : listener_(std::move(listener)) {}
  UniqueFd listener_;
};

}  // namespace fauxroot
