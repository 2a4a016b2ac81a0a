/*
 * The floor for sequential handshake latency: N blocking connect() + close()
 * calls to 127.0.0.1:PORT, one after the other, each connect() timed on
 * CLOCK_MONOTONIC. Compiled by bench/latency_bench.ts at bench time (never
 * commit a binary).
 *
 * Usage: connect_loop PORT N [blocking|epoll|session]
 * The epoll mode does what an event loop does (a nonblocking connect(), then
 * epoll_wait() for writable and getsockopt(SO_ERROR)), timed from connect()
 * to epoll_wait()'s return: the floor of a nonblocking engine.
 * The session mode times the same blocking connect() but then runs synfin's
 * default session before the next one: our FIN (shutdown SHUT_WR), a
 * blocking read until the server's FIN, close(). The server is then idle
 * when the next SYN arrives, as it is for `load -c 1`, and waking it from
 * epoll_wait happens inside connect() (about 12 us more per connect() on
 * these VMs, measured with both this loop and an FFI loop in Deno).
 * Prints one JSON line: {"n":N,"failed":F,"p50Us":X,"p99Us":Y,"maxUs":Z}
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: connect_loop PORT N\n");
    return 2;
  }
  int n = atoi(argv[2]);
  int use_epoll = argc > 3 && strcmp(argv[3], "epoll") == 0;
  int session = argc > 3 && strcmp(argv[3], "session") == 0;
  int ep = epoll_create1(0);
  double *us = calloc(n, sizeof *us);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int done = 0, failed = 0;
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM | (use_epoll ? SOCK_NONBLOCK : 0), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    if (use_epoll && rc < 0) {
      struct epoll_event ev = {.events = EPOLLOUT, .data.fd = fd}, got;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      int err = 0;
      socklen_t len = sizeof err;
      rc = epoll_wait(ep, &got, 1, 3000) == 1 &&
                   getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0
               ? 0
               : -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0 && session) {
      char buffer[512];
      shutdown(fd, SHUT_WR);
      ssize_t got;
      while ((got = read(fd, buffer, sizeof buffer)) > 0) {
      }
      if (got < 0) rc = -1;
    }
    if (rc == 0) {
      us[done++] = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
    } else {
      failed++;
    }
    close(fd);
  }
  qsort(us, done, sizeof *us, by_value);
  printf("{\"n\":%d,\"failed\":%d,\"p50Us\":%.1f,\"p99Us\":%.1f,\"maxUs\":%.1f}\n", done, failed,
         done ? us[done / 2] : 0, done ? us[(int)(done * 0.99)] : 0, done ? us[done - 1] : 0);
  return failed ? 1 : 0;
}
