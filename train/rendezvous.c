#include "train/rendezvous.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char magic[8] = {'C', 'O', 'V', 'R', 'D', 'Z', 'V', '1'};

struct cov_rendezvous_server {
    int fd;
    uint16_t port;
};

/* ----------------------------------------------------------- helpers */

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int ms_left(int64_t deadline)
{
    int64_t left = deadline - now_ms();
    return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Sends or receives exactly len bytes before the deadline. */
static cov_status io_all(int fd, uint8_t *buf, size_t len, int sending, int64_t deadline,
                         const char *what, cov_err *err)
{
    size_t done = 0;
    while (done < len) {
        struct pollfd p = {.fd = fd, .events = sending ? POLLOUT : POLLIN, .revents = 0};
        int r = poll(&p, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return cov_fail(err, COV_ERR_NETWORK, "rendezvous: poll failed: %s", strerror(errno));
        if (r == 0)
            return cov_fail(err, COV_ERR_TIMEOUT,
                            "rendezvous: timed out %s; are all ranks started with the same "
                            "--dist-addr and --world?",
                            what);
        ssize_t n = sending ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
                            : recv(fd, buf + done, len - done, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return cov_fail(err, COV_ERR_NETWORK, "rendezvous: %s: %s", what, strerror(errno));
        if (n == 0)
            return cov_fail(err, COV_ERR_NETWORK,
                            "rendezvous: the peer closed the connection %s (rank 0 refused "
                            "this rank? see its error)",
                            what);
        done += (size_t)n;
    }
    return COV_OK;
}

static cov_status resolve(struct addrinfo **out, const char *host, uint16_t port, int passive,
                          cov_err *err)
{
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    int rc = getaddrinfo(host[0] ? host : NULL, service, &hints, out);
    if (rc != 0)
        return cov_fail(err, COV_ERR_NETWORK, "rendezvous: cannot resolve %s: %s",
                        host[0] ? host : "(any)", gai_strerror(rc));
    return COV_OK;
}

/* -------------------------------------------------------------- parse */

cov_status cov_rendezvous_parse_addr(const char *text, char host[COV_RENDEZVOUS_HOST_MAX],
                                     uint16_t *port, int allow_zero, cov_err *err)
{
    const char *colon = text ? strrchr(text, ':') : NULL;
    if (!colon)
        return cov_fail(err, COV_ERR_ARG, "rendezvous address \"%s\" is not HOST:PORT",
                        text ? text : "");
    const char *h = text;
    size_t hlen = (size_t)(colon - text);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') { /* [v6]:port */
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= COV_RENDEZVOUS_HOST_MAX)
        return cov_fail(err, COV_ERR_ARG, "rendezvous address \"%s\": no host (or too long)",
                        text);
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || colon[1] == '-' || p > 65535 || (p == 0 && !allow_zero))
        return cov_fail(err, COV_ERR_ARG,
                        "rendezvous address \"%s\": the port must be a number from 1 to 65535",
                        text);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    return COV_OK;
}

/* ------------------------------------------------------------- server */

cov_status cov_rendezvous_listen(cov_rendezvous_server **out, const char *host, uint16_t port,
                                 cov_err *err)
{
    *out = NULL;
    struct addrinfo *ai = NULL;
    cov_status st = resolve(&ai, host, port, 1, err);
    if (st != COV_OK)
        return st;
    int fd = -1, last_errno = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 128) != 0) {
            last_errno = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return cov_fail(err, COV_ERR_NETWORK,
                        "rendezvous: cannot listen on %s:%u: %s (is the port in use? pick "
                        "another with --dist-addr)",
                        host, (unsigned)port, strerror(last_errno));
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    uint16_t bound = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    cov_rendezvous_server *s = malloc(sizeof *s);
    if (!s) {
        close(fd);
        return cov_fail(err, COV_ERR_NOMEM, "rendezvous: out of memory");
    }
    s->fd = fd;
    s->port = bound;
    *out = s;
    return COV_OK;
}

uint16_t cov_rendezvous_port(const cov_rendezvous_server *s)
{
    return s->port;
}

void cov_rendezvous_server_free(cov_rendezvous_server *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s);
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

cov_status cov_rendezvous_serve(cov_rendezvous_server *s, int world, const uint8_t *blob,
                                size_t len, int timeout_ms, cov_err *err)
{
    if (world < 1 || world > 65536 || len > COV_RENDEZVOUS_BLOB_MAX || (!blob && len))
        return cov_fail(err, COV_ERR_ARG,
                        "rendezvous: world must be 1..65536 and the blob at most %d bytes",
                        COV_RENDEZVOUS_BLOB_MAX);
    if (world == 1)
        return COV_OK;
    int *fds = malloc((size_t)world * sizeof *fds); /* by rank; [0] unused */
    if (!fds)
        return cov_fail(err, COV_ERR_NOMEM, "rendezvous: out of memory");
    for (int i = 0; i < world; i++)
        fds[i] = -1;
    int64_t deadline = now_ms() + timeout_ms;
    cov_status st = COV_OK;
    for (int joined = 1; joined < world && st == COV_OK;) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN, .revents = 0};
        int r = poll(&p, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            st = cov_fail(err, r == 0 ? COV_ERR_TIMEOUT : COV_ERR_NETWORK,
                          "rendezvous: %d of %d ranks joined before the timeout; start the "
                          "others with the same --dist-addr and --world %d",
                          joined, world, world);
            break;
        }
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue; /* a client that went away: keep waiting for the others */
        uint8_t hello[16];
        st = io_all(c, hello, sizeof hello, 0, deadline, "reading a rank's hello", err);
        if (st != COV_OK) {
            close(c);
            break;
        }
        uint32_t rank = get_u32(hello + 8), their_world = get_u32(hello + 12);
        if (memcmp(hello, magic, sizeof magic) != 0)
            st = cov_fail(err, COV_ERR_PARSE,
                          "rendezvous: a connection that is not a covenant rank reached "
                          "the rendezvous port");
        else if (their_world != (uint32_t)world)
            st = cov_fail(err, COV_ERR_ARG,
                          "rendezvous: rank %u was started with --world %u, rank 0 with %d",
                          rank, their_world, world);
        else if (rank == 0 || rank >= (uint32_t)world)
            st = cov_fail(err, COV_ERR_ARG, "rendezvous: a process claims rank %u of %d",
                          rank, world);
        else if (fds[rank] >= 0)
            st = cov_fail(err, COV_ERR_ARG,
                          "rendezvous: two processes claim rank %u; give each its own --rank",
                          rank);
        if (st != COV_OK) {
            close(c);
            break;
        }
        fds[rank] = c;
        joined++;
    }
    uint8_t head[12];
    memcpy(head, magic, sizeof magic);
    put_u32(head + 8, (uint32_t)len);
    for (int r = 1; r < world && st == COV_OK; r++) {
        st = io_all(fds[r], head, sizeof head, 1, deadline, "sending the id", err);
        if (st == COV_OK && len)
            st = io_all(fds[r], (uint8_t *)blob, len, 1, deadline, "sending the id", err);
    }
    close_all(fds, world);
    free(fds);
    return st;
}

/* -------------------------------------------------------------- client */

/* One connection attempt to any address of host:port; -1 if none took. */
static int try_connect(const struct addrinfo *ai)
{
    for (const struct addrinfo *a = ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
    }
    return -1;
}

cov_status cov_rendezvous_join(const char *host, uint16_t port, int rank, int world,
                               uint8_t *blob, size_t len, int timeout_ms, cov_err *err)
{
    if (world < 2 || rank < 1 || rank >= world || len > COV_RENDEZVOUS_BLOB_MAX ||
        (!blob && len))
        return cov_fail(err, COV_ERR_ARG,
                        "rendezvous: joining needs 1 <= rank < world (rank %d, world %d)", rank,
                        world);
    struct addrinfo *ai = NULL;
    cov_status st = resolve(&ai, host, port, 0, err);
    if (st != COV_OK)
        return st;
    int64_t deadline = now_ms() + timeout_ms;
    int fd = -1;
    /* Rank 0 may not be listening yet: retry every 100 ms. */
    while ((fd = try_connect(ai)) < 0 && ms_left(deadline) > 0) {
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return cov_fail(err, COV_ERR_TIMEOUT,
                        "rendezvous: rank 0 did not answer at %s:%u within %d ms; start it "
                        "(with --rank 0) or check --dist-addr",
                        host, (unsigned)port, timeout_ms);
    uint8_t hello[16], head[12];
    memcpy(hello, magic, sizeof magic);
    put_u32(hello + 8, (uint32_t)rank);
    put_u32(hello + 12, (uint32_t)world);
    st = io_all(fd, hello, sizeof hello, 1, deadline, "saying hello to rank 0", err);
    if (st == COV_OK)
        st = io_all(fd, head, sizeof head, 0, deadline, "waiting for rank 0's id", err);
    if (st == COV_OK && memcmp(head, magic, sizeof magic) != 0)
        st = cov_fail(err, COV_ERR_PARSE, "rendezvous: rank 0 answered with something else");
    if (st == COV_OK && get_u32(head + 8) != len)
        st = cov_fail(err, COV_ERR_PARSE,
                      "rendezvous: rank 0 sent %u bytes, this rank expects %zu (different "
                      "covenant builds?)",
                      get_u32(head + 8), len);
    if (st == COV_OK && len)
        st = io_all(fd, blob, len, 0, deadline, "receiving rank 0's id", err);
    close(fd);
    return st;
}

/* --------------------------------------------------------- environment */

static cov_status env_int(int *out, int *present, const char *name, int min, int max,
                          cov_err *err)
{
    const char *v = getenv(name);
    *present = v != NULL;
    if (!v)
        return COV_OK;
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < min || x > max)
        return cov_fail(err, COV_ERR_ARG, "%s=\"%s\" must be an integer from %d to %d", name, v,
                        min, max);
    *out = (int)x;
    return COV_OK;
}

cov_status cov_rendezvous_env_rank(int *rank, int *world, int *local_rank, int *found,
                                   cov_err *err)
{
    static const char *const names[2][3] = {
        {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"},
        {"RANK", "WORLD_SIZE", "LOCAL_RANK"},
    };
    *rank = 0;
    *world = 1;
    *local_rank = 0;
    *found = 0;
    for (int k = 0; k < 2; k++) {
        int r = 0, w = 1, l = 0, has_r = 0, has_w = 0, has_l = 0;
        cov_status st = env_int(&w, &has_w, names[k][1], 1, 65536, err);
        if (st == COV_OK)
            st = env_int(&r, &has_r, names[k][0], 0, 65535, err);
        if (st == COV_OK)
            st = env_int(&l, &has_l, names[k][2], 0, 65535, err);
        if (st != COV_OK)
            return st;
        if (!has_r && !has_w)
            continue;
        if (!has_r || !has_w || r >= w)
            return cov_fail(err, COV_ERR_ARG,
                            "%s and %s must both be set, with the rank below the size", names[k][0],
                            names[k][1]);
        *rank = r;
        *world = w;
        *local_rank = has_l ? l : r;
        *found = 1;
        return COV_OK;
    }
    return COV_OK;
}
