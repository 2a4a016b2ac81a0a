/*
 * A minimal single-threaded epoll TCP server for the engine benchmark: it
 * accepts, discards what it reads, and closes when it reads EOF (answers the
 * client's FIN with its own). It exists so the server is not the bottleneck:
 * a Deno server tops out near the same ~14k sessions/s as one Deno client on
 * two cores, which would hide any difference between clients.
 *
 * Usage: epoll_server PORT   (listens on 127.0.0.1, prints "ready" when listening)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  signal(SIGPIPE, SIG_IGN);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 4096)) {
    perror("listen");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  printf("ready\n");
  fflush(stdout);
  struct epoll_event events[256];
  char buffer[16384];
  for (;;) {
    int n = epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int conn;
        while ((conn = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = conn};
          epoll_ctl(ep, EPOLL_CTL_ADD, conn, &cev);
        }
        continue;
      }
      ssize_t got;
      while ((got = read(fd, buffer, sizeof buffer)) > 0) {
      }
      if (got == 0 || (got < 0 && errno != EAGAIN)) close(fd);
    }
  }
}
