/* signal_storm N restart|norestart: makes N chown+stat pairs while SIGALRM
 * arrives every 300 us, and prints how many calls failed with EINTR and how
 * many signals were handled. Natively neither call ever fails with EINTR. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_alarm(int sig) {
  (void)sig;
  ++handled;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  int restart = argc > 2 && strcmp(argv[2], "restart") == 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(SIGALRM, &sa, NULL);
  close(open("storm-file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  struct itimerval every = {{0, 300}, {0, 300}};
  setitimer(ITIMER_REAL, &every, NULL);
  long eintr = 0, other = 0;
  struct stat st;
  for (int i = 0; i < n; ++i) {
    if (chown("storm-file", 1000 + i % 3, 1000) != 0) {
      if (errno == EINTR)
        ++eintr;
      else
        ++other;
    }
    if (stat("storm-file", &st) != 0) {
      if (errno == EINTR)
        ++eintr;
      else
        ++other;
    }
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("calls %d eintr %ld other %ld handled %ld\n", 2 * n, eintr, other, (long)handled);
  return 0;
}
