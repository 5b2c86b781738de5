/* try_syscall MODE [ARGS]: makes one unusual syscall and prints "ok" or the
 * errno's name, so a test can compare what the kernel answers natively with
 * what fauxroot answers. The shape follows bubblewrap's tests/try-syscall.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long rc) {
  if (rc < 0) {
    const char* name = strerrorname_np(errno);
    printf("%s\n", name ? name : "E?");
  } else {
    printf("ok\n");
  }
  return 0;
}

/* A string that runs into an unmapped page without a NUL. */
static char* unterminated(void) {
  char* pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(pages + 4096, 4096);
  memset(pages, 'a', 4096);
  return pages;
}

/* i386 chown32 through int $0x80: the i386 ABI from a 64-bit process. */
static long int80_chown32(const char* path, unsigned uid, unsigned gid) {
  char* low =
      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  strncpy(low, path, 4095);
  long rc;
  __asm__ volatile("int $0x80"
                   : "=a"(rc)
                   : "a"(212L), "b"((long)(unsigned long)low), "c"((long)uid), "d"((long)gid)
                   : "memory");
  if (rc < 0 && rc > -4096) {
    errno = (int)-rc;
    return -1;
  }
  return rc;
}

/* A thread that keeps rewriting the path another thread is stat'ing. */
static char racy_path[64] = "file";
static volatile int racing = 1;
static void* rewrite(void* unused) {
  (void)unused;
  for (unsigned i = 0; racing; ++i) memcpy(racy_path, i % 2 ? "file" : "gone", 5);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: try_syscall MODE [ARGS]\n");
    return 2;
  }
  const char* mode = argv[1];
  const char* path = argc > 2 ? argv[2] : ".";
  struct stat st;
  char long_path[PATH_MAX + 1];
  memset(long_path, 'a', PATH_MAX);
  long_path[PATH_MAX] = '\0';

  if (!strcmp(mode, "stat-null")) return report(syscall(SYS_newfstatat, AT_FDCWD, NULL, &st, 0));
  if (!strcmp(mode, "stat-null-empty"))
    return report(syscall(SYS_newfstatat, AT_FDCWD, NULL, &st, AT_EMPTY_PATH));
  if (!strcmp(mode, "stat-badbuf"))
    return report(syscall(SYS_newfstatat, AT_FDCWD, path, (void*)8, 0));
  if (!strcmp(mode, "stat-badflags"))
    return report(syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0x40000));
  if (!strcmp(mode, "stat-unterminated"))
    return report(syscall(SYS_newfstatat, AT_FDCWD, unterminated(), &st, 0));
  if (!strcmp(mode, "stat-longpath"))
    return report(syscall(SYS_newfstatat, AT_FDCWD, long_path, &st, 0));
  if (!strcmp(mode, "stat-badfd")) return report(syscall(SYS_fstat, 12345, &st));
  if (!strcmp(mode, "stat-notdir")) {
    int fd = open(path, O_RDONLY);
    return report(syscall(SYS_newfstatat, fd, "x", &st, 0));
  }
  if (!strcmp(mode, "chown-badpath")) return report(syscall(SYS_chown, (char*)8, 0, 0));
  if (!strcmp(mode, "chown-longpath")) return report(syscall(SYS_chown, long_path, 0, 0));
  if (!strcmp(mode, "chown-unterminated")) return report(syscall(SYS_chown, unterminated(), 0, 0));
  if (!strcmp(mode, "fchownat-badflags"))
    return report(syscall(SYS_fchownat, AT_FDCWD, path, 0, 0, 0x1000000));
  if (!strcmp(mode, "mknod-exists")) return report(syscall(SYS_mknod, path, S_IFCHR | 0600, 0x103));
  if (!strcmp(mode, "int80-chown32")) return report(int80_chown32(path, 1, 1));
  if (!strcmp(mode, "x32-chown")) return report(syscall(0x40000000L | SYS_chown, path, 1, 1));
  if (!strcmp(mode, "io_uring_setup")) return report(syscall(SYS_io_uring_setup, 1, NULL));
  /* The *xattrat calls of Linux 6.13 (463 setxattrat, 464 getxattrat). */
  struct xattr_args_v0 {
    unsigned long long value;
    unsigned int size;
    unsigned int flags;
  };
  if (!strcmp(mode, "setxattrat")) {
    struct xattr_args_v0 args = {(unsigned long long)(unsigned long)"via-at", 6, 0};
    return report(syscall(463, AT_FDCWD, path, 0, "trusted.fauxroot", &args, sizeof args));
  }
  if (!strcmp(mode, "getxattrat")) {
    char value[64] = {0};
    struct xattr_args_v0 args = {(unsigned long long)(unsigned long)value, sizeof value - 1, 0};
    long rc = syscall(464, AT_FDCWD, path, 0, "trusted.fauxroot", &args, sizeof args);
    if (rc >= 0) printf("%s\n", value);
    return report(rc);
  }
  if (!strcmp(mode, "racing-path")) {
    /* Every stat sees one of the two names whole: ok or ENOENT, nothing else. */
    pthread_t thread;
    pthread_create(&thread, NULL, rewrite, NULL);
    int ok = 0, missing = 0, other = 0;
    for (int i = 0; i < 20000; ++i) {
      if (stat(racy_path, &st) == 0)
        ++ok;
      else if (errno == ENOENT)
        ++missing;
      else
        ++other;
    }
    racing = 0;
    pthread_join(thread, NULL);
    printf("%s\n", ok > 0 && missing >= 0 && other == 0 ? "ok" : "unexpected errors");
    return 0;
  }
  if (!strcmp(mode, "nested-seccomp")) {
    /* A filter of the build's own on top of fauxroot's: syslog(2) fails with
     * EPERM, and the emulated calls still answer (chown, stat). (Not a call a
     * sanitizer runtime makes: LeakSanitizer spins on a failing getppid.) */
    struct sock_filter insns[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_syslog, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof insns / sizeof insns[0], insns};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      return report(-1);
    }
    long blocked = syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
    int chowned = chown(path, 77, 78);
    int stated = stat(path, &st);
    printf("syslog %s, chown %d, stat %d, uid %u\n", blocked < 0 ? strerrorname_np(errno) : "ok",
           chowned, stated, (unsigned)st.st_uid);
    return 0;
  }
  fprintf(stderr, "try_syscall: unknown mode %s\n", mode);
  return 2;
}
