// Kernel constants that Debian 12's headers (linux-libc-dev 6.1) may lack.
//
// Every fallback for an older kernel header lives here and nowhere else; the
// file is C as well as C++ (the C helpers and benchmarks include it).
// Whether the running kernel supports a feature is decided at run time.
#pragma once

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/ioctl.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)  // Linux 5.19
#endif

#ifndef SECCOMP_IOCTL_NOTIF_ADDFD
struct seccomp_notif_addfd {
  __u64 id;
  __u32 flags;
  __u32 srcfd;
  __u32 newfd;
  __u32 newfd_flags;
};
#define SECCOMP_IOCTL_NOTIF_ADDFD SECCOMP_IOW(3, struct seccomp_notif_addfd)  // Linux 5.9
#endif

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)  // Linux 5.14
#endif

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)  // Linux 6.6
#endif

#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)  // Linux 6.6
#endif

// The x32 ABI shares AUDIT_ARCH_X86_64 and marks its syscall numbers with this bit.
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

// Syscalls newer than Debian 12's headers and libseccomp 2.5.4 (x86_64 numbers).
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452  // Linux 6.6
#endif

#ifndef __NR_setxattrat
#define __NR_setxattrat 463  // Linux 6.13
#define __NR_getxattrat 464
#define __NR_listxattrat 465
#define __NR_removexattrat 466
#endif

// PIDFD_GET_INFO (Linux 6.13): a task's ids from its pidfd. The first version
// of struct pidfd_info (64 bytes), under its own name so that newer headers that
// define the struct do not clash; the kernel takes the size from the command.
typedef struct {
  __u64 mask;
  __u64 cgroupid;
  __u32 pid;
  __u32 tgid;
  __u32 ppid;
  __u32 ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  __u32 spare0;
} PidfdInfoV0;
#define FAUXROOT_PIDFD_GET_INFO _IOWR(0xFF, 11, PidfdInfoV0)
#define FAUXROOT_PIDFD_INFO_PID 1ULL  // PIDFD_INFO_PID: pid, tgid and ppid

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
