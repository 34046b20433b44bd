/* covenant's TCP rendezvous for data-parallel training: the processes of a
 * run agree on one small secret-free blob (NCCL's 128-byte unique id) before
 * NCCL itself connects them. Plain C and sockets, no GPU: rank 0 listens,
 * every other rank connects and receives the blob.
 *
 * Protocol (all integers little-endian), one TCP connection per rank > 0:
 *
 *   rank r → rank 0   "COVRDZV1" | u32 rank | u32 world          16 bytes
 *   rank 0 → rank r   "COVRDZV1" | u32 length | length bytes     the blob
 *
 * Rank 0 answers only once every rank 1..world-1 has said hello (so a run
 * with a wrong --world, a duplicate or out-of-range rank fails at once, on
 * rank 0 with a message, and the others see their connection closed).
 * Ranks > 0 retry connecting until the deadline, so the processes may start
 * in any order. Nothing here is authenticated: run it on a trusted network
 * (the unique id only lets a process join the NCCL communicator). */
#ifndef COVENANT_TRAIN_RENDEZVOUS_H
#define COVENANT_TRAIN_RENDEZVOUS_H

#include "common/common.h"

#include <stddef.h>
#include <stdint.h>

#define COV_RENDEZVOUS_BLOB_MAX 4096
#define COV_RENDEZVOUS_HOST_MAX 256

/* Splits "host:port" (or "[v6addr]:port") into host and port. The port must
 * be 1..65535 unless allow_zero (rank 0 may ask for any free port). */
cov_status cov_rendezvous_parse_addr(const char *text, char host[COV_RENDEZVOUS_HOST_MAX],
                                     uint16_t *port, int allow_zero, cov_err *err) COV_WARN_UNUSED;

/* Rank 0's listening socket. */
typedef struct cov_rendezvous_server cov_rendezvous_server;

/* Binds and listens on host:port (port 0: a free one; see _port). Free with
 * cov_rendezvous_server_free. */
cov_status cov_rendezvous_listen(cov_rendezvous_server **out, const char *host, uint16_t port,
                                 cov_err *err) COV_WARN_UNUSED;
uint16_t cov_rendezvous_port(const cov_rendezvous_server *s);
void cov_rendezvous_server_free(cov_rendezvous_server *s);

/* Rank 0: waits for the hello of every rank 1..world-1 (at most timeout_ms
 * in all), then sends each of them blob[0..len). world 1 returns at once. */
cov_status cov_rendezvous_serve(cov_rendezvous_server *s, int world, const uint8_t *blob,
                                size_t len, int timeout_ms, cov_err *err) COV_WARN_UNUSED;

/* Rank r > 0: connects to host:port (retrying until timeout_ms), says
 * hello and receives exactly len bytes into blob (a different length from
 * rank 0 is an error). */
cov_status cov_rendezvous_join(const char *host, uint16_t port, int rank, int world,
                               uint8_t *blob, size_t len, int timeout_ms,
                               cov_err *err) COV_WARN_UNUSED;

/* Rank, world and node-local rank (which GPU) of this process from the
 * launcher's environment: Open MPI (OMPI_COMM_WORLD_RANK, _SIZE,
 * _LOCAL_RANK), else the torchrun-style RANK, WORLD_SIZE, LOCAL_RANK that
 * scripts/launch-train.sh sets. Without a local rank, local = rank. *found
 * is 0 when neither is set (rank 0 of 1 then). COV_ERR_ARG for values that
 * are not integers or out of range. */
cov_status cov_rendezvous_env_rank(int *rank, int *world, int *local_rank, int *found,
                                   cov_err *err) COV_WARN_UNUSED;

#endif
