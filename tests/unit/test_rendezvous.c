/* covenant's TCP rendezvous (train/rendezvous.h), on loopback with threads:
 * every rank receives rank 0's 128-byte id (NCCL's ncclUniqueId size)
 * byte for byte, in whatever order the ranks start; a wrong world, a
 * duplicate or out-of-range rank and a missing rank fail with messages;
 * addresses and launcher environments parse as documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "train/rendezvous.h"

enum { ID_BYTES = 128, TIMEOUT_MS = 10000 };

typedef struct {
    uint16_t port;
    int rank, world, delay_ms;
    uint8_t id[ID_BYTES];
    cov_status st;
    cov_err err;
} joiner;

static void *join_thread(void *arg)
{
    joiner *j = arg;
    if (j->delay_ms) {
        struct timespec t = {0, (long)j->delay_ms * 1000000L};
        nanosleep(&t, NULL);
    }
    memset(j->id, 0xEE, sizeof j->id); /* poisoned: an unwritten byte shows */
    j->st = cov_rendezvous_join("127.0.0.1", j->port, j->rank, j->world, j->id, ID_BYTES,
                                TIMEOUT_MS, &j->err);
    return NULL;
}

static void fill_id(uint8_t *id)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < ID_BYTES; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        id[i] = (uint8_t)x;
    }
}

/* Rank 0 serves world ranks; ranks 1..world-1 run in threads, given in
 * ranks[] (their claimed ranks) with start delays. Returns rank 0's status. */
static cov_status run_round(int world, int n_threads, const int *ranks, const int *thread_world,
                            const int *delays, joiner *js, int serve_timeout, cov_err *err)
{
    cov_rendezvous_server *s = NULL;
    assert_int_equal(cov_rendezvous_listen(&s, "127.0.0.1", 0, err), COV_OK);
    uint16_t port = cov_rendezvous_port(s);
    assert_true(port != 0);
    pthread_t th[8];
    for (int i = 0; i < n_threads; i++) {
        memset(&js[i], 0, sizeof js[i]);
        js[i].port = port;
        js[i].rank = ranks[i];
        js[i].world = thread_world ? thread_world[i] : world;
        js[i].delay_ms = delays ? delays[i] : 0;
        assert_int_equal(pthread_create(&th[i], NULL, join_thread, &js[i]), 0);
    }
    uint8_t id[ID_BYTES];
    fill_id(id);
    cov_status st = cov_rendezvous_serve(s, world, id, ID_BYTES, serve_timeout, err);
    /* Refused joiners see their connection closed; release the rest. */
    cov_rendezvous_server_free(s);
    for (int i = 0; i < n_threads; i++)
        pthread_join(th[i], NULL);
    return st;
}

static void four_ranks_get_the_id(void **state)
{
    (void)state;
    joiner js[3];
    int ranks[3] = {3, 1, 2}, delays[3] = {150, 0, 300}; /* any order, some late */
    cov_err err = {0};
    assert_int_equal(run_round(4, 3, ranks, NULL, delays, js, TIMEOUT_MS, &err), COV_OK);
    uint8_t want[ID_BYTES];
    fill_id(want);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(js[i].st, COV_OK);
        assert_memory_equal(js[i].id, want, ID_BYTES);
    }
}

static void world_of_one_needs_nobody(void **state)
{
    (void)state;
    cov_err err = {0};
    joiner none[1];
    assert_int_equal(run_round(1, 0, NULL, NULL, NULL, none, 100, &err), COV_OK);
}

static void bad_ranks_refused(void **state)
{
    (void)state;
    cov_err err = {0};
    joiner js[2];
    /* A rank started with another world size. */
    int r1[1] = {1}, w1[1] = {3};
    assert_int_equal(run_round(2, 1, r1, w1, NULL, js, TIMEOUT_MS, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "--world"));
    assert_int_not_equal(js[0].st, COV_OK);
    /* Two processes claim rank 1 of 3. */
    int r2[2] = {1, 1}, d2[2] = {0, 100};
    memset(&err, 0, sizeof err);
    assert_int_equal(run_round(3, 2, r2, NULL, d2, js, TIMEOUT_MS, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "two processes claim rank 1"));
    /* A rank that never comes: rank 0 times out and says how many joined. */
    int r3[1] = {1};
    memset(&err, 0, sizeof err);
    assert_int_equal(run_round(3, 1, r3, NULL, NULL, js, 300, &err), COV_ERR_TIMEOUT);
    assert_non_null(strstr(err.msg, "2 of 3 ranks joined"));
    assert_int_not_equal(js[0].st, COV_OK);
    /* Joining with impossible numbers is refused before any connection. */
    uint8_t id[ID_BYTES];
    assert_int_equal(cov_rendezvous_join("127.0.0.1", 1, 0, 2, id, ID_BYTES, 10, &err),
                     COV_ERR_ARG);
    assert_int_equal(cov_rendezvous_join("127.0.0.1", 1, 2, 2, id, ID_BYTES, 10, &err),
                     COV_ERR_ARG);
}

static void nobody_listening_times_out(void **state)
{
    (void)state;
    cov_err err = {0};
    cov_rendezvous_server *s = NULL;
    assert_int_equal(cov_rendezvous_listen(&s, "127.0.0.1", 0, &err), COV_OK);
    uint16_t port = cov_rendezvous_port(s);
    cov_rendezvous_server_free(s); /* the port is free again: nobody answers */
    uint8_t id[ID_BYTES];
    assert_int_equal(cov_rendezvous_join("127.0.0.1", port, 1, 2, id, ID_BYTES, 300, &err),
                     COV_ERR_TIMEOUT);
    assert_non_null(strstr(err.msg, "did not answer"));
}

static void addresses_parse(void **state)
{
    (void)state;
    cov_err err = {0};
    char host[COV_RENDEZVOUS_HOST_MAX];
    uint16_t port = 0;
    assert_int_equal(cov_rendezvous_parse_addr("10.0.0.2:29500", host, &port, 0, &err), COV_OK);
    assert_string_equal(host, "10.0.0.2");
    assert_int_equal(port, 29500);
    assert_int_equal(cov_rendezvous_parse_addr("[::1]:7", host, &port, 0, &err), COV_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 7);
    assert_int_equal(cov_rendezvous_parse_addr("node-a:0", host, &port, 1, &err), COV_OK);
    assert_int_equal(port, 0);
    const char *bad[] = {"node-a", ":80", "node-a:", "node-a:0", "a:65536", "a:-1", "a:8x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(cov_rendezvous_parse_addr(bad[i], host, &port, 0, &err), COV_ERR_ARG);
        assert_true(err.msg[0] != '\0');
    }
}

static void launcher_environment(void **state)
{
    (void)state;
    cov_err err = {0};
    int rank = -1, world = -1, local = -1, found = -1;
    unsetenv("OMPI_COMM_WORLD_RANK");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
    unsetenv("RANK");
    unsetenv("WORLD_SIZE");
    unsetenv("LOCAL_RANK");
    assert_int_equal(cov_rendezvous_env_rank(&rank, &world, &local, &found, &err), COV_OK);
    assert_int_equal(found, 0);
    assert_int_equal(rank, 0);
    assert_int_equal(world, 1);
    setenv("RANK", "3", 1);
    setenv("WORLD_SIZE", "8", 1);
    assert_int_equal(cov_rendezvous_env_rank(&rank, &world, &local, &found, &err), COV_OK);
    assert_int_equal(found, 1);
    assert_int_equal(rank, 3);
    assert_int_equal(world, 8);
    assert_int_equal(local, 3);
    /* Open MPI's variables win over RANK/WORLD_SIZE. */
    setenv("OMPI_COMM_WORLD_RANK", "5", 1);
    setenv("OMPI_COMM_WORLD_SIZE", "16", 1);
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "1", 1);
    assert_int_equal(cov_rendezvous_env_rank(&rank, &world, &local, &found, &err), COV_OK);
    assert_int_equal(rank, 5);
    assert_int_equal(world, 16);
    assert_int_equal(local, 1);
    setenv("OMPI_COMM_WORLD_RANK", "16", 1); /* rank not below the size */
    assert_int_equal(cov_rendezvous_env_rank(&rank, &world, &local, &found, &err), COV_ERR_ARG);
    setenv("OMPI_COMM_WORLD_RANK", "two", 1);
    assert_int_equal(cov_rendezvous_env_rank(&rank, &world, &local, &found, &err), COV_ERR_ARG);
    assert_non_null(strstr(err.msg, "OMPI_COMM_WORLD_RANK"));
    unsetenv("OMPI_COMM_WORLD_RANK");
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
    unsetenv("RANK");
    unsetenv("WORLD_SIZE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_ranks_get_the_id),
        cmocka_unit_test(world_of_one_needs_nobody),
        cmocka_unit_test(bad_ranks_refused),
        cmocka_unit_test(nobody_listening_times_out),
        cmocka_unit_test(addresses_parse),
        cmocka_unit_test(launcher_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
