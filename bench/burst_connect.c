/*
 * The floor for a burst's spread: N nonblocking connect() calls to
 * 127.0.0.1:PORT from T threads (one per core), every socket opened before a
 * shared barrier so the burst is only connect() calls, as synfin's raw
 * bursts are. The spread is the first call's start to the last call's end
 * over all threads, on CLOCK_MONOTONIC. Each round holds its connections
 * 300 ms, closes them and waits 300 ms, as bench/burst_bench.ts does.
 * Compiled by bench/burst_bench.ts at bench time (never commit a binary).
 *
 * Usage: burst_connect PORT N THREADS ROUNDS
 * Prints one JSON line: {"spreadsMs":[...]}
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;
static int n, threads;
static int *fds;
static pthread_barrier_t barrier;
static double *first, *last;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *fire(void *arg) {
  long t = (long)arg;
  pthread_barrier_wait(&barrier);
  first[t] = now_ms();
  for (int i = (int)t; i < n; i += threads) connect(fds[i], (struct sockaddr *)&addr, sizeof addr);
  last[t] = now_ms();
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: burst_connect PORT N THREADS ROUNDS\n");
    return 2;
  }
  n = atoi(argv[2]);
  threads = atoi(argv[3]);
  int rounds = atoi(argv[4]);
  if (n < 1 || threads < 1 || threads > 64 || rounds < 1) return 2;
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  fds = calloc(n, sizeof *fds);
  first = calloc(threads, sizeof *first);
  last = calloc(threads, sizeof *last);
  pthread_t *th = calloc(threads, sizeof *th);
  printf("{\"spreadsMs\":[");
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < n; i++) fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    pthread_barrier_init(&barrier, 0, threads);
    for (long t = 0; t < threads; t++) pthread_create(&th[t], 0, fire, (void *)t);
    for (int t = 0; t < threads; t++) pthread_join(th[t], 0);
    pthread_barrier_destroy(&barrier);
    double lo = first[0], hi = last[0];
    for (int t = 1; t < threads; t++) {
      if (first[t] < lo) lo = first[t];
      if (last[t] > hi) hi = last[t];
    }
    printf("%s%.2f", r ? "," : "", hi - lo);
    usleep(300000);
    for (int i = 0; i < n; i++) close(fds[i]);
    usleep(300000);
  }
  printf("]}\n");
  return 0;
}
