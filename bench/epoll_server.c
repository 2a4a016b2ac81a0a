/*
 * A minimal single-threaded epoll TCP server for the engine benchmarks. It
 * exists so the server is not the bottleneck: a Deno server tops out near the
 * same ~14k sessions/s as one Deno client on two cores, which would hide any
 * difference between clients. Modes:
 *   eof           discard what it reads, close on EOF (answers the client's FIN)
 *   accept-close  close right after accept (the server sends the first FIN)
 *   http          answer each request with a small HTTP/1.0 response, then close
 *
 * Usage: epoll_server PORT [MODE [ADDRESS]]   (prints "ready" when listening;
 * MODE defaults to eof, ADDRESS to 127.0.0.1: 0.0.0.0 serves every loopback
 * address of a namespace). SO_REUSEPORT is set, so several processes can
 * share a port when one thread is the bottleneck.
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
  const char *mode = argc > 2 ? argv[2] : "eof";
  int accept_close = strcmp(mode, "accept-close") == 0;
  int http = strcmp(mode, "http") == 0;
  if (!accept_close && !http && strcmp(mode, "eof") != 0) {
    fprintf(stderr, "unknown mode %s: use eof, accept-close or http\n", mode);
    return 2;
  }
  static const char response[] =
      "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
  signal(SIGPIPE, SIG_IGN);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (argc > 3 && inet_pton(AF_INET, argv[3], &addr.sin_addr) != 1) {
    fprintf(stderr, "bad address %s: give an IPv4 address\n", argv[3]);
    return 2;
  }
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
          if (accept_close) {
            close(conn);
            continue;
          }
          struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = conn};
          epoll_ctl(ep, EPOLL_CTL_ADD, conn, &cev);
        }
        continue;
      }
      ssize_t got;
      ssize_t total = 0;
      while ((got = read(fd, buffer, sizeof buffer)) > 0) total += got;
      if (http && total > 0) {
        /* One read holds a client's whole small request on loopback. */
        (void)write(fd, response, sizeof response - 1);
        close(fd);
        continue;
      }
      if (got == 0 || (got < 0 && errno != EAGAIN)) close(fd);
    }
  }
}
