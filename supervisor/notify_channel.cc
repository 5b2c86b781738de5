#include "supervisor/notify_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/linux_compat.h"

namespace fauxroot {

Result<KernelNotifyChannel> KernelNotifyChannel::Create(UniqueFd listener) {
  struct seccomp_notif_sizes sizes {};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    return ErrnoError("seccomp(SECCOMP_GET_NOTIF_SIZES)");
  }
  // The kernel may only grow these structures; a larger kernel structure than
  // ours would make RECV write past our buffer.
  if (sizes.seccomp_notif > sizeof(struct seccomp_notif) ||
      sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)) {
    return MakeError(0, "kernel seccomp notification structures (" +
                            std::to_string(sizes.seccomp_notif) + ", " +
                            std::to_string(sizes.seccomp_notif_resp) +
                            " bytes) are larger than this build knows; rebuild fauxroot");
  }
  return KernelNotifyChannel(std::move(listener));
}

Result<ReceiveStatus> KernelNotifyChannel::Receive(struct seccomp_notif* notif) {
  // RECV requires a zeroed buffer.
  memset(notif, 0, sizeof *notif);
  if (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, notif) == 0) return ReceiveStatus::kOk;
  switch (errno) {
    case EINTR:
    case ENOENT:  // the target was killed or interrupted between poll and RECV
      return ReceiveStatus::kRetry;
    default:
      return ErrnoError("ioctl SECCOMP_IOCTL_NOTIF_RECV");
  }
}

Result<SendStatus> KernelNotifyChannel::Send(const struct seccomp_notif_resp& resp) {
  struct seccomp_notif_resp copy = resp;
  while (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, &copy) != 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT) return SendStatus::kTargetGone;
    return ErrnoError("ioctl SECCOMP_IOCTL_NOTIF_SEND");
  }
  return SendStatus::kOk;
}

bool KernelNotifyChannel::IdValid(uint64_t id) {
  return ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

Result<SendStatus> KernelNotifyChannel::SendFd(uint64_t id, int fd, bool cloexec) {
  struct seccomp_notif_addfd addfd {};
  addfd.id = id;
  addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
  addfd.srcfd = static_cast<__u32>(fd);
  addfd.newfd_flags = cloexec ? O_CLOEXEC : 0;
  while (ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) < 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT) return SendStatus::kTargetGone;
    return ErrnoError("ioctl SECCOMP_IOCTL_NOTIF_ADDFD");
  }
  return SendStatus::kOk;
}

bool KernelNotifyChannel::EnableSyncWakeUp() {
  return ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SET_FLAGS,
               static_cast<__u64>(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP)) == 0;
}

}  // namespace fauxroot
