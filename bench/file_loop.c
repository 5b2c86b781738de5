/* file_loop N: the syscall-heavy macro benchmark. Creates, chowns, stats and
 * unlinks N files in the current directory, then prints the seconds taken. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  char name[32];
  struct stat st;
  for (int i = 0; i < n; ++i) {
    snprintf(name, sizeof name, "f%d", i);
    int fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return perror("open"), 1;
    close(fd);
    if (chown(name, 1000 + i % 7, 2000 + i % 5) != 0) return perror("chown"), 1;
    if (stat(name, &st) != 0 || st.st_uid != (uid_t)(1000 + i % 7)) {
      fprintf(stderr, "stat of %s: uid %u\n", name, (unsigned)st.st_uid);
      return 1;
    }
  }
  for (int i = 0; i < n; ++i) {
    snprintf(name, sizeof name, "f%d", i);
    if (lstat(name, &st) != 0 || unlink(name) != 0) return perror("unlink"), 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  printf("%.3f\n", (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
  return 0;
}
