/* notify_rtt [N]: the cost of one seccomp user-notification round trip under
 * the supervisor loops one could write, measured by a child that makes N
 * trapped getppid calls (each answered with a value, nothing else done):
 *
 *   poll     poll(2) on the listener and four other fds, then RECV and SEND
 *            (fauxroot's loop: it must also watch the step, signals and exits)
 *   recv     RECV blocking on the listener alone, then SEND
 *   spin     poll(2) with a zero timeout until a notification is there
 *
 * each with and without SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6), which
 * wakes the supervisor on the target's CPU and the target on the supervisor's.
 * Prints microseconds per trapped call; run it unprivileged (no root needed). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/linux_compat.h"

enum Loop { kPoll, kRecv, kSpin };
static const char* const kLoopNames[] = {"poll", "recv", "spin"};

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The target: traps getppid, tells its parent the listener's fd number (the
 * parent takes it with pidfd_getfd), times n calls once told to go, and writes
 * the microseconds per call to `sock`. */
static void Target(int sock, int n) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(1);
  int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                              SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
  char go;
  if (listener < 0 || write(sock, &listener, sizeof listener) != sizeof listener ||
      read(sock, &go, 1) != 1) {
    _exit(1);
  }
  close(listener);
  double start = Now();
  for (int i = 0; i < n; ++i) syscall(SYS_getppid);
  double us = (Now() - start) / n / 1000;
  _exit(write(sock, &us, sizeof us) == sizeof us ? 0 : 1);
}

/* Answers notifications on `listener` with loop `loop` until the target is gone. */
static void Supervise(int listener, enum Loop loop) {
  int others[4];
  for (int i = 0; i < 4; ++i) others[i] = eventfd(0, EFD_CLOEXEC);
  struct pollfd fds[5] = {{listener, POLLIN, 0}};
  for (int i = 0; i < 4; ++i) fds[i + 1] = (struct pollfd){others[i], POLLIN, 0};
  for (;;) {
    if (loop == kPoll) {
      if (poll(fds, 5, -1) < 0) continue;
    } else if (loop == kSpin) {
      while (poll(fds, 1, 0) == 0) {
      }
    }
    if (loop != kRecv && !(fds[0].revents & POLLIN)) break;
    struct seccomp_notif notif;
    memset(&notif, 0, sizeof notif);
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &notif) != 0) {
      if (errno == EINTR) continue;
      break; /* ENOENT: the target has exited */
    }
    struct seccomp_notif_resp resp = {.id = notif.id, .val = 7};
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0 && errno != ENOENT) break;
  }
  for (int i = 0; i < 4; ++i) close(others[i]);
}

static int Measure(enum Loop loop, int sync, int n, double* us) {
  int socks[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(socks[1]);
    Target(socks[0], n);
  }
  close(socks[0]);
  int number = -1, listener = -1;
  int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
  if (pidfd >= 0 && read(socks[1], &number, sizeof number) == sizeof number) {
    listener = (int)syscall(SYS_pidfd_getfd, pidfd, number, 0);
  }
  if (pidfd >= 0) close(pidfd);
  int ok = listener >= 0;
  if (ok && sync &&
      ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) != 0) {
    ok = 0;
  }
  if (ok && write(socks[1], "g", 1) == 1) {
    Supervise(listener, loop);
    ok = read(socks[1], us, sizeof *us) == sizeof *us;
  } else {
    kill(child, SIGKILL);
    ok = 0;
  }
  if (listener >= 0) close(listener);
  close(socks[1]);
  waitpid(child, NULL, 0);
  return ok ? 0 : -1;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  printf("%-6s %18s %18s\n", "loop", "SYNC_WAKE_UP (us)", "without (us)");
  for (enum Loop loop = kPoll; loop <= kSpin; ++loop) {
    double with = 0, without = 0;
    if (Measure(loop, 1, n, &with) != 0) with = -1;
    if (Measure(loop, 0, n, &without) != 0) without = -1;
    printf("%-6s %18.2f %18.2f\n", kLoopNames[loop], with, without);
  }
  return 0;
}
