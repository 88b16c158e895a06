/* Holds many idle keep-alive connections to an HTTP server and measures, while they are held, how
 * fast GET /api/health answers on a new connection and (with --pid) the server's resident memory.
 *
 *   idle_conns --port P [--host 127.0.0.1] [--connections 10000] [--per-source 1000] [--no-request]
 *              [--wait S] [--probes 20] [--probe-timeout S] [--pid PID]
 *
 * Each held connection first sends one GET /api/health and reads its answer (so it is an idle
 * keep-alive connection, not a half-sent request), unless --no-request. Raise `ulimit -n` first.
 * The server caps connections per client address (CRM_MAX_CONNECTIONS_PER_CLIENT, 1000 by
 * default), so on a loopback host the held connections come from --per-source connections per
 * source address, 127.0.0.2, 127.0.0.3, ...: as from many clients. The probes come from the
 * default source (127.0.0.1), which holds none.
 * Prints one line: connections=N connected=C answered=A probes=P probe_failures=F probe_p50_ms=X
 * probe_max_ms=Y still_open=O rss_mib=R. Exit status 0 when it ran, 2 on bad usage. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";

enum state { CONNECTING, SENT, ANSWERED, DEAD };

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void usage(void) {
    fprintf(stderr, "usage: idle_conns --port P [--host H] [--connections N] [--per-source M] [--no-request]\n"
                    "                  [--wait S] [--probes K] [--probe-timeout S] [--pid PID]\n");
    exit(2);
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* One GET /api/health on a fresh connection: milliseconds until the whole answer arrived, or -1. */
static double probe(const struct sockaddr_in* addr, double timeout_ms) {
    double start = now_ms(), deadline = start + timeout_ms;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr*)addr, sizeof *addr) < 0 && errno != EINPROGRESS) goto fail;
    struct pollfd p = {fd, POLLOUT, 0};
    if (poll(&p, 1, (int)(deadline - now_ms())) != 1) goto fail;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) goto fail;
    if (send(fd, request, sizeof request - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof request - 1)) goto fail;
    char buf[4096];
    size_t got = 0;
    for (;;) {
        double left = deadline - now_ms();
        if (left <= 0) goto fail;
        p.events = POLLIN;
        if (poll(&p, 1, (int)left + 1) != 1) goto fail;
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) goto fail;
        got += (size_t)n;
        buf[got] = 0;
        /* Complete when the head is in and as many body bytes as Content-Length says. */
        char* end = strstr(buf, "\r\n\r\n");
        if (end) {
            const char* cl = strcasestr(buf, "\r\ncontent-length:");
            long want = cl ? strtol(cl + 17, NULL, 10) : 0;
            if ((long)(got - (size_t)(end + 4 - buf)) >= want) break;
        }
        if (got >= sizeof buf - 1) goto fail;
    }
    close(fd);
    return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? now_ms() - start : -1;
fail:
    close(fd);
    return -1;
}

static double rss_mib(long pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE* f = fopen(path, "r");
    if (!f) return -1;
    double kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtod(line + 6, NULL);
    fclose(f);
    return kib < 0 ? -1 : kib / 1024;
}

int main(int argc, char** argv) {
    const char* host = "127.0.0.1";
    int port = 0, connections = 10000, per_source = 1000, send_request = 1, probes = 20;
    double wait_s = 20, probe_timeout_s = 5;
    long pid = 0;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (!strcmp(a, "--no-request")) { send_request = 0; continue; }
        if (i + 1 >= argc) usage();
        const char* v = argv[++i];
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--connections")) connections = atoi(v);
        else if (!strcmp(a, "--per-source")) per_source = atoi(v);
        else if (!strcmp(a, "--wait")) wait_s = atof(v);
        else if (!strcmp(a, "--probes")) probes = atoi(v);
        else if (!strcmp(a, "--probe-timeout")) probe_timeout_s = atof(v);
        else if (!strcmp(a, "--pid")) pid = atol(v);
        else usage();
    }
    if (port <= 0 || port > 65535 || connections < 1 || connections > 1000000 || per_source < 1 || probes < 1 || probes > 10000 ||
        wait_s <= 0 || probe_timeout_s <= 0)
        usage();
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) usage();
    /* Source addresses other than 127.0.0.1 exist only on loopback (127.0.0.0/8). */
    int loopback = (ntohl(addr.sin_addr.s_addr) >> 24) == 127;

    int* fds = calloc((size_t)connections, sizeof *fds);
    unsigned char* st = calloc((size_t)connections, 1);
    int ep = epoll_create1(0);
    if (!fds || !st || ep < 0) { perror("idle_conns"); return 1; }

    /* Open every connection (non-blocking), then drive them all with epoll until each has its
     * answer or the deadline passes. */
    int opened = 0;
    for (int i = 0; i < connections; ++i) {
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fds[i] < 0) { fprintf(stderr, "idle_conns: socket %d: %s (raise ulimit -n)\n", i, strerror(errno)); break; }
        if (loopback) {
            struct sockaddr_in source = {.sin_family = AF_INET,
                                         .sin_addr.s_addr = htonl(0x7F000002u + (unsigned)(i / per_source))};
            if (bind(fds[i], (struct sockaddr*)&source, sizeof source) < 0) {
                fprintf(stderr, "idle_conns: bind to a loopback source address: %s\n", strerror(errno));
                close(fds[i]);
                fds[i] = -1;
                break;
            }
        }
        if (connect(fds[i], (struct sockaddr*)&addr, sizeof addr) < 0 && errno != EINPROGRESS) {
            close(fds[i]);
            fds[i] = -1;
            st[i] = DEAD;
            continue;
        }
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u32 = (unsigned)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
        st[i] = CONNECTING;
        opened = i + 1;
    }
    int connected = 0, answered = 0, pending = opened;
    double deadline = now_ms() + wait_s * 1000;
    struct epoll_event events[1024];
    char buf[4096];
    while (pending > 0 && now_ms() < deadline) {
        int n = epoll_wait(ep, events, 1024, 100);
        for (int k = 0; k < n; ++k) {
            int i = (int)events[k].data.u32;
            if (st[i] == CONNECTING && (events[k].events & EPOLLOUT)) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) { st[i] = DEAD; --pending; epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL); continue; }
                ++connected;
                struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (unsigned)i};
                epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev);
                if (!send_request) { st[i] = ANSWERED; --pending; continue; }
                if (send(fds[i], request, sizeof request - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof request - 1)) {
                    st[i] = DEAD; --pending; continue;
                }
                st[i] = SENT;
            } else if (st[i] == SENT && (events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
                ssize_t got = recv(fds[i], buf, sizeof buf, 0);
                if (got > 0) { st[i] = ANSWERED; ++answered; }
                else st[i] = DEAD;
                --pending;
            } else if (events[k].events & (EPOLLHUP | EPOLLERR)) {
                if (st[i] == CONNECTING) --pending;
                st[i] = DEAD;
                epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
            }
        }
    }

    /* While they are held: health probes on fresh connections, and the server's memory. */
    double* lat = calloc((size_t)probes, sizeof *lat);
    int ok = 0, failures = 0;
    for (int k = 0; k < probes; ++k) {
        double ms = probe(&addr, probe_timeout_s * 1000);
        if (ms < 0) ++failures;
        else lat[ok++] = ms;
    }
    double rss = pid ? rss_mib(pid) : -1;
    qsort(lat, (size_t)ok, sizeof *lat, cmp_double);

    /* Which held connections are still open: the server may close idle ones after a timeout. */
    int still_open = 0;
    for (int i = 0; i < opened; ++i) {
        if (fds[i] < 0 || st[i] == DEAD || st[i] == CONNECTING) continue;
        for (;;) {
            ssize_t got = recv(fds[i], buf, sizeof buf, MSG_DONTWAIT);
            if (got > 0) continue;  /* a late answer */
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ++still_open;
            break;
        }
    }
    printf("connections=%d connected=%d answered=%d probes=%d probe_failures=%d probe_p50_ms=%.1f probe_max_ms=%.1f "
           "still_open=%d rss_mib=%.1f\n",
           connections, connected, send_request ? answered : connected, probes, failures, ok ? lat[ok / 2] : -1.0,
           ok ? lat[ok - 1] : -1.0, still_open, rss);
    for (int i = 0; i < opened; ++i)
        if (fds[i] >= 0) close(fds[i]);
    free(lat);
    free(fds);
    free(st);
    close(ep);
    return 0;
}
