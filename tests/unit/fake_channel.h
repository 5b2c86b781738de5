// FakeChannel: a NotifyChannel that replays queued notifications and records
// the answers, so handlers and the supervisor loop run without a kernel filter.
#pragma once

#include <deque>
#include <vector>

#include "supervisor/notify_channel.h"

namespace fauxroot {

class FakeChannel final : public NotifyChannel {
 public:
  Result<ReceiveStatus> Receive(struct seccomp_notif* notif) override {
    if (queue_.empty()) return ReceiveStatus::kRetry;
    *notif = queue_.front();
    queue_.pop_front();
    return ReceiveStatus::kOk;
  }
  Result<SendStatus> Send(const struct seccomp_notif_resp& resp) override {
    sent_.push_back(resp);
    return SendStatus::kOk;
  }
  bool IdValid(uint64_t) override { return id_valid_; }
  Result<SendStatus> SendFd(uint64_t id, int fd, bool cloexec) override {
    sent_fds_.push_back({id, fd, cloexec});
    return SendStatus::kOk;
  }
  int fd() const override { return -1; }

  std::deque<struct seccomp_notif> queue_;
  std::vector<struct seccomp_notif_resp> sent_;
  struct SentFd {
    uint64_t id;
    int fd;
    bool cloexec;
  };
  std::vector<SentFd> sent_fds_;
  bool id_valid_ = true;
};

}  // namespace fauxroot
