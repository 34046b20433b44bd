/* chain/rpc: the JSON-RPC client against a loopback HTTP server (built on
 * libmicrohttpd, in this file) that replays answers recorded in the shape
 * subtensor gives them (tests/vectors/rpc/<method>.json, id rewritten to
 * the request's) and injects one fault per request as a test scripts it:
 * delays, HTTP errors, bad bodies, lying lengths, odd batches. Every case
 * must end in a clear status, and retries exactly as chain/rpc.h says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_helpers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chain/chain.h"

/* ------------------------------------------------------- the test server */

typedef enum {
    F_NONE = 0,     /* the recorded answer, id rewritten */
    F_RAW,          /* `body` verbatim */
    F_WRONG_ID,     /* the recorded answer with id + 1 */
    F_CHUNKED,      /* `size` bytes, chunked (no Content-Length) */
    F_SHORT,        /* Content-Length `size`, then only `body`, then close */
    F_BATCH_REVERSE, /* batch answers in reverse order */
    F_BATCH_DROP,   /* batch answers without the last one */
    F_BATCH_DUP,    /* batch answers with the first one repeated */
} fault_kind;

typedef struct {
    fault_kind kind;
    unsigned status;         /* 0: 200 */
    const char *body;
    size_t size;
    int delay_ms;            /* before answering */
    const char *retry_after; /* a Retry-After header */
} fault;

#define MAX_FAULTS 16

typedef struct {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t mu;
    atomic_int stopping;
    int requests;          /* complete requests since set_faults */
    fault faults[MAX_FAULTS]; /* request k gets faults[k] */
    int nfaults;
    json_t *routes; /* method -> recorded answer */
    json_t *calls;  /* method -> times called */
    char *last_request;
} test_server;

typedef struct {
    char *data;
    size_t len;
} upload;

static char *read_vector(const char *name)
{
    const char *dir = getenv("COVENANT_TEST_VECTORS");
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/rpc/%s.json", dir, name);
    uint8_t *text;
    size_t len;
    cov_err err;
    if (cov_file_read(&text, &len, path, 1 << 20, false, &err) != COV_OK)
        fail_msg("%s", err.msg);
    return (char *)text;
}

/* Replaces (or adds) the recorded answer for a method. */
static void route(test_server *s, const char *method, const char *answer_json)
{
    json_error_t je;
    json_t *a = json_loads(answer_json, 0, &je);
    if (!a)
        fail_msg("bad route JSON for %s: %s", method, je.text);
    pthread_mutex_lock(&s->mu);
    json_object_set_new(s->routes, method, a);
    pthread_mutex_unlock(&s->mu);
}

static void route_vector(test_server *s, const char *method, const char *file)
{
    char *text = read_vector(file);
    route(s, method, text);
    free(text);
}

static int calls_of(test_server *s, const char *method)
{
    pthread_mutex_lock(&s->mu);
    int n = (int)json_integer_value(json_object_get(s->calls, method));
    pthread_mutex_unlock(&s->mu);
    return n;
}

static int requests_of(test_server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

static void set_faults(test_server *s, int n, const fault *f)
{
    assert_true(n <= MAX_FAULTS);
    pthread_mutex_lock(&s->mu);
    memcpy(s->faults, f, (size_t)n * sizeof *f);
    s->nfaults = n;
    s->requests = 0; /* the next request gets f[0] */
    pthread_mutex_unlock(&s->mu);
}

/* The same fault for the next n requests. */
static void repeat_fault(test_server *s, int n, fault f)
{
    fault list[MAX_FAULTS];
    for (int i = 0; i < n; i++)
        list[i] = f;
    set_faults(s, n, list);
}

/* One request object's answer (called with the lock held). */
static json_t *answer_one(test_server *s, const json_t *req, int id_offset)
{
    const char *method = json_string_value(json_object_get(req, "method"));
    json_int_t id = json_integer_value(json_object_get(req, "id"));
    if (method) {
        json_t *n = json_object_get(s->calls, method);
        json_object_set_new(s->calls, method,
                            json_integer(n ? json_integer_value(n) + 1 : 1));
    }
    const json_t *recorded = method ? json_object_get(s->routes, method) : NULL;
    json_t *a = recorded ? json_deep_copy(recorded)
                         : json_pack("{s:s,s:{s:i,s:s}}", "jsonrpc", "2.0", "error",
                                     "code", -32601, "message", "Method not found");
    json_object_set_new(a, "id", json_integer(id + id_offset));
    return a;
}

static char *answer_text(test_server *s, const char *request, fault_kind kind)
{
    json_t *req = json_loads(request, 0, NULL);
    json_t *out = NULL;
    pthread_mutex_lock(&s->mu);
    if (json_is_array(req)) {
        out = json_array();
        size_t i;
        json_t *r;
        json_array_foreach(req, i, r) json_array_append_new(out, answer_one(s, r, 0));
        size_t n = json_array_size(out);
        if (kind == F_BATCH_REVERSE) {
            json_t *rev = json_array();
            for (size_t k = n; k-- > 0;)
                json_array_append(rev, json_array_get(out, k));
            json_decref(out);
            out = rev;
        } else if (kind == F_BATCH_DROP && n) {
            json_array_remove(out, n - 1);
        } else if (kind == F_BATCH_DUP && n) {
            json_array_append(out, json_array_get(out, 0));
        }
    } else if (json_is_object(req)) {
        out = answer_one(s, req, kind == F_WRONG_ID ? 1 : 0);
    } else {
        out = json_pack("{s:s,s:n,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", "error",
                        "code", -32700, "message", "Parse error");
    }
    pthread_mutex_unlock(&s->mu);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    json_decref(req);
    /* json_dumps used jansson's allocator; hand back a plain malloc copy. */
    char *copy = strdup(text);
    void (*jfree)(void *);
    json_malloc_t jmalloc;
    json_get_alloc_funcs(&jmalloc, &jfree);
    jfree(text);
    return copy;
}

typedef struct {
    size_t size;
    size_t declared; /* F_SHORT */
    const char *body;
} stream;

static ssize_t stream_big(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *st = cls;
    if (pos >= st->size)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = st->size - (size_t)pos < max ? st->size - (size_t)pos : max;
    memset(buf, ' ', n);
    return (ssize_t)n;
}

static ssize_t stream_short(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *st = cls;
    size_t len = strlen(st->body);
    if (pos >= len)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* close, short of the length */
    size_t n = len - (size_t)pos < max ? len - (size_t)pos : max;
    memcpy(buf, st->body + pos, n);
    return (ssize_t)n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version,
                              const char *data, size_t *data_size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    test_server *s = cls;
    upload *up = *con_cls;
    if (!up) {
        *con_cls = up = calloc(1, sizeof *up);
        return up ? MHD_YES : MHD_NO;
    }
    if (*data_size) {
        char *p = realloc(up->data, up->len + *data_size + 1);
        if (!p)
            return MHD_NO;
        memcpy(p + up->len, data, *data_size);
        up->data = p;
        up->len += *data_size;
        up->data[up->len] = '\0';
        *data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->mu);
    int k = s->requests++;
    fault f = k < s->nfaults ? s->faults[k] : (fault){0};
    free(s->last_request);
    s->last_request = strdup(up->data ? up->data : "");
    pthread_mutex_unlock(&s->mu);

    /* A slow node, in slices so that stopping the server is quick. */
    for (int waited = 0; waited < f.delay_ms && !atomic_load(&s->stopping); waited += 10)
        sleep_ms(10);

    struct MHD_Response *resp = NULL;
    if (f.kind == F_RAW) {
        resp = MHD_create_response_from_buffer(strlen(f.body), (void *)f.body,
                                               MHD_RESPMEM_MUST_COPY);
    } else if (f.kind == F_CHUNKED || f.kind == F_SHORT) {
        stream *st = malloc(sizeof *st);
        *st = (stream){f.size, f.size, f.body};
        resp = MHD_create_response_from_callback(
            f.kind == F_CHUNKED ? MHD_SIZE_UNKNOWN : (uint64_t)f.size, 1024,
            f.kind == F_CHUNKED ? stream_big : stream_short, st, free);
    } else {
        char *text = answer_text(s, up->data ? up->data : "", f.kind);
        resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    if (f.retry_after)
        MHD_add_response_header(resp, "Retry-After", f.retry_after);
    enum MHD_Result r = MHD_queue_response(conn, f.status ? f.status : 200, resp);
    MHD_destroy_response(resp);
    return r;
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    upload *up = *con_cls;
    if (up) {
        free(up->data);
        free(up);
        *con_cls = NULL;
    }
}

static const char *const recorded_methods[] = {
    "system_chain", "system_name", "system_version", "system_health",
    "system_properties", "chain_getBlockHash", "chain_getFinalizedHead",
    "chain_getHeader", "chain_getBlock", "state_getRuntimeVersion",
    "state_getMetadata", "state_getStorage", "state_getKeysPaged",
    "state_queryStorageAt", "state_call", "system_accountNextIndex",
    "author_submitExtrinsic", "payment_queryInfo"};

static test_server *server_start(void)
{
    test_server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    pthread_mutex_init(&s->mu, NULL);
    s->routes = json_object();
    s->calls = json_object();
    for (size_t i = 0; i < sizeof recorded_methods / sizeof recorded_methods[0]; i++)
        route_vector(s, recorded_methods[i], recorded_methods[i]);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, request_done, s, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)10, MHD_OPTION_END);
    assert_non_null(s->daemon);
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)info->port);
    return s;
}

static void server_stop(test_server *s)
{
    atomic_store(&s->stopping, 1);
    MHD_stop_daemon(s->daemon);
    json_decref(s->routes);
    json_decref(s->calls);
    free(s->last_request);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static char *last_request(test_server *s)
{
    pthread_mutex_lock(&s->mu);
    char *r = strdup(s->last_request ? s->last_request : "");
    pthread_mutex_unlock(&s->mu);
    return r;
}

/* ------------------------------------------------------------ fixtures */

typedef struct {
    test_server *srv;
    cov_rpc *rpc;
} fixture;

/* Short timeouts and backoffs keep the whole program within seconds. */
static void test_options(cov_rpc_options *o)
{
    cov_rpc_options_default(o);
    o->connect_timeout_ms = 1000;
    o->timeout_ms = 1500;
    o->max_retries = 2;
    o->backoff_base_ms = 1;
    o->backoff_max_ms = 20;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->srv = server_start();
    cov_rpc_options o;
    test_options(&o);
    cov_err err;
    if (cov_rpc_new(&f->rpc, f->srv->url, &o, &err) != COV_OK)
        fail_msg("%s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cov_rpc_free(f->rpc);
    server_stop(f->srv);
    free(f);
    return 0;
}

/* A client on the fixture's server with changed options. */
static cov_rpc *client_with(fixture *f, long timeout_ms, size_t max_response,
                            int max_retries)
{
    cov_rpc_options o;
    test_options(&o);
    if (timeout_ms)
        o.timeout_ms = timeout_ms;
    if (max_response)
        o.max_response = max_response;
    if (max_retries >= 0)
        o.max_retries = max_retries;
    cov_rpc *rpc;
    cov_err err;
    if (cov_rpc_new(&rpc, f->srv->url, &o, &err) != COV_OK)
        fail_msg("%s", err.msg);
    return rpc;
}

static void expect_msg(const cov_err *err, const char *part)
{
    if (getenv("RPC_TEST_SHOW"))
        fprintf(stderr, "msg: %s\n", err->msg);
    if (!strstr(err->msg, part))
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, part);
}

static const char alice_ss58[] = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

/* -------------------------------------------------------- typed methods */

static void test_system_methods(void **state)
{
    fixture *f = *state;
    cov_err err;
    char *text;
    assert_int_equal(cov_rpc_system_chain(f->rpc, &text, &err), COV_OK);
    assert_string_equal(text, "Bittensor");
    free(text);
    assert_int_equal(cov_rpc_system_name(f->rpc, &text, &err), COV_OK);
    assert_string_equal(text, "Subtensor Node");
    free(text);
    assert_int_equal(cov_rpc_system_version(f->rpc, &text, &err), COV_OK);
    assert_string_equal(text, "4.0.0-dev-5f2ad6fbf2a");
    free(text);

    cov_rpc_health h;
    assert_int_equal(cov_rpc_system_health(f->rpc, &h, &err), COV_OK);
    assert_int_equal(h.peers, 47);
    assert_false(h.is_syncing);
    assert_true(h.should_have_peers);

    cov_rpc_properties p;
    assert_int_equal(cov_rpc_system_properties(f->rpc, &p, &err), COV_OK);
    assert_int_equal(p.ss58_format, 42);
    assert_int_equal(p.token_decimals, 9);
    assert_string_equal(p.token_symbol, "TAO");
    /* Multi-token chains answer arrays: the first token is taken. */
    route(f->srv, "system_properties",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tokenDecimals\":[12,18],"
          "\"tokenSymbol\":[\"DOT\",\"X\"]}}");
    assert_int_equal(cov_rpc_system_properties(f->rpc, &p, &err), COV_OK);
    assert_int_equal(p.ss58_format, -1);
    assert_int_equal(p.token_decimals, 12);
    assert_string_equal(p.token_symbol, "DOT");

    uint64_t nonce = 0;
    assert_int_equal(cov_rpc_account_next_index(f->rpc, &nonce, alice_ss58, &err), COV_OK);
    assert_int_equal(nonce, 17);
    char *req = last_request(f->srv);
    assert_non_null(strstr(req, alice_ss58));
    free(req);
    assert_int_equal(cov_rpc_account_next_index(f->rpc, &nonce, "5Grw-not-ss58", &err),
                     COV_ERR_PARSE);
    assert_int_equal(calls_of(f->srv, "system_accountNextIndex"), 1);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
}

static void test_chain_methods(void **state)
{
    fixture *f = *state;
    cov_err err;
    uint8_t hash[32];
    assert_int_equal(cov_rpc_block_hash(f->rpc, hash, NULL, &err), COV_OK);
    expect_hex(hash, 32, "fbc00d93e22a6d386ae96ae030645cb7b29ada633d583464c252ddbb17595573");
    char *req = last_request(f->srv);
    assert_non_null(strstr(req, "\"method\":\"chain_getBlockHash\",\"params\":[]"));
    free(req);
    uint64_t number = 5925660;
    assert_int_equal(cov_rpc_block_hash(f->rpc, hash, &number, &err), COV_OK);
    req = last_request(f->srv);
    assert_non_null(strstr(req, "\"params\":[5925660]"));
    free(req);
    route(f->srv, "chain_getBlockHash", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}");
    assert_int_equal(cov_rpc_block_hash(f->rpc, hash, &number, &err), COV_ERR_NOT_FOUND);

    assert_int_equal(cov_rpc_finalized_head(f->rpc, hash, &err), COV_OK);

    cov_rpc_header h;
    assert_int_equal(cov_rpc_header_get(f->rpc, &h, NULL, &err), COV_OK);
    assert_int_equal(h.number, 5925660); /* "0x5a6b1c" */
    expect_hex(h.parent_hash, 32,
               "0af58970e00be22744cde5feb11a7e51f1ea31989243b64cea5966610f147668");
    expect_hex(h.state_root, 32,
               "097b4083c3b643091cda0bd437c731eef93814bfc290e899603b36274ed8ad25");
    expect_hex(h.extrinsics_root, 32,
               "e06776fec460c44355cf4be612c5510bd1651c2ab7af87e7c2e97ad29bc18962");
    assert_int_equal(cov_rpc_header_get(f->rpc, &h, hash, &err), COV_OK);
    req = last_request(f->srv);
    char want[80];
    cov_hex_encode(want + 2, hash, 32);
    want[0] = '0';
    want[1] = 'x';
    assert_non_null(strstr(req, want));
    free(req);

    cov_rpc_block b;
    assert_int_equal(cov_rpc_block_get(f->rpc, &b, NULL, &err), COV_OK);
    assert_int_equal(b.header.number, 5925660);
    assert_int_equal(b.extrinsics.n, 1);
    assert_int_equal(b.extrinsics.lens[0], 11);
    expect_hex(b.extrinsics.items[0], 11, "280402000b007c291f9401");
    cov_rpc_block_free(&b);

    /* A header with a bad field is refused, naming it. */
    route(f->srv, "chain_getHeader",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"parentHash\":\"0x00\","
          "\"number\":\"0x1\",\"stateRoot\":\"0x\",\"extrinsicsRoot\":\"0x\"}}");
    assert_int_equal(cov_rpc_header_get(f->rpc, &h, NULL, &err), COV_ERR_PARSE);
    expect_msg(&err, "parentHash");
    route(f->srv, "chain_getHeader", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}");
    assert_int_equal(cov_rpc_header_get(f->rpc, &h, hash, &err), COV_ERR_NOT_FOUND);
}

static void test_state_methods(void **state)
{
    fixture *f = *state;
    cov_err err;
    cov_rpc_runtime_version v;
    assert_int_equal(cov_rpc_runtime_version_get(f->rpc, &v, NULL, &err), COV_OK);
    assert_string_equal(v.spec_name, "node-subtensor");
    assert_int_equal(v.spec_version, 425);
    assert_int_equal(v.transaction_version, 1);
    assert_int_equal(v.impl_version, 1);
    assert_int_equal(v.state_version, 1);

    uint8_t *bytes;
    size_t len;
    assert_int_equal(cov_rpc_metadata_get(f->rpc, &bytes, &len, NULL, &err), COV_OK);
    assert_int_equal(len, 69);
    assert_memory_equal(bytes, "meta\x0f", 5);
    free(bytes);

    uint8_t key[64];
    unhex(key, 64, "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
                   "de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6");
    bool found = false;
    assert_int_equal(cov_rpc_storage_get(f->rpc, &bytes, &len, &found, key, 64, NULL, &err),
                     COV_OK);
    assert_true(found);
    assert_int_equal(len, 56);
    assert_int_equal(bytes[0], 17); /* nonce */
    free(bytes);
    route(f->srv, "state_getStorage", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}");
    assert_int_equal(cov_rpc_storage_get(f->rpc, &bytes, &len, &found, key, 64, NULL, &err),
                     COV_OK);
    assert_false(found);
    assert_null(bytes);
    route(f->srv, "state_getStorage", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x\"}");
    assert_int_equal(cov_rpc_storage_get(f->rpc, &bytes, &len, &found, key, 64, NULL, &err),
                     COV_OK);
    assert_true(found); /* Some(empty) is not None */
    assert_int_equal(len, 0);
    free(bytes);

    uint8_t at[32];
    memset(at, 0xab, 32);
    cov_rpc_bytes_list keys;
    assert_int_equal(cov_rpc_keys_paged(f->rpc, &keys, key, 32, 3, NULL, 0, at, &err),
                     COV_OK);
    assert_int_equal(keys.n, 3);
    assert_int_equal(keys.lens[0], 80);
    assert_memory_equal(keys.items[0], key, 32);
    char *req = last_request(f->srv);
    assert_non_null(strstr(req, ",3,null,\"0xabab")); /* start_key null before at */
    free(req);

    /* queryStorageAt: Alice's value, Bob's key empty, Charlie's left out. */
    const uint8_t *qk[3] = {keys.items[0], keys.items[1], keys.items[2]};
    size_t ql[3] = {keys.lens[0], keys.lens[1], keys.lens[2]};
    cov_rpc_bytes_list values;
    bool qfound[3];
    assert_int_equal(cov_rpc_query_storage_at(f->rpc, &values, qfound, 3, qk, ql, NULL, &err),
                     COV_OK);
    assert_true(qfound[0]);
    assert_int_equal(values.lens[0], 56);
    assert_false(qfound[1]);
    assert_false(qfound[2]);
    cov_rpc_bytes_list_free(&values);
    /* An answer for a key that was not asked for is refused. */
    assert_int_equal(cov_rpc_query_storage_at(f->rpc, &values, qfound, 1, qk + 2, ql + 2,
                                              NULL, &err),
                     COV_ERR_PARSE);
    expect_msg(&err, "not asked for");
    assert_null(values.items);
    cov_rpc_bytes_list_free(&keys);

    uint8_t arg[2] = {3, 0};
    assert_int_equal(cov_rpc_state_call(f->rpc, &bytes, &len,
                                        "SubnetInfoRuntimeApi_get_subnet_info", arg, 2,
                                        NULL, &err),
                     COV_OK);
    assert_int_equal(len, 8);
    expect_hex(bytes, 8, "00ca9a3b00000000");
    free(bytes);
    req = last_request(f->srv);
    assert_non_null(strstr(req, "[\"SubnetInfoRuntimeApi_get_subnet_info\",\"0x0300\"]"));
    free(req);
}

static void test_author_methods(void **state)
{
    fixture *f = *state;
    cov_err err;
    uint8_t ext[4] = {0x0c, 0x04, 0x07, 0x00};
    uint8_t hash[32];
    assert_int_equal(cov_rpc_submit_extrinsic(f->rpc, hash, ext, 4, &err), COV_OK);
    char *req = last_request(f->srv);
    assert_non_null(strstr(req, "\"params\":[\"0x0c040700\"]"));
    free(req);

    json_t *info;
    assert_int_equal(cov_rpc_payment_query_info(f->rpc, &info, ext, 4, NULL, &err), COV_OK);
    assert_string_equal(json_string_value(json_object_get(info, "partialFee")), "1004880");
    json_decref(info);

    /* The node's JSON-RPC error, word for word, and not retried. */
    route_vector(f->srv, "author_submitExtrinsic", "error_invalid_transaction");
    assert_int_equal(cov_rpc_submit_extrinsic(f->rpc, hash, ext, 4, &err), COV_ERR_RPC);
    assert_string_equal(err.msg, "RPC error 1010 from author_submitExtrinsic: "
                                 "Invalid Transaction: Transaction is outdated");
    assert_int_equal(cov_rpc_last_rpc_code(f->rpc), 1010);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
    assert_int_equal(calls_of(f->srv, "author_submitExtrinsic"), 2);
}

/* ---------------------------------------------------------------- faults */

static void test_timeout_retried(void **state)
{
    fixture *f = *state;
    cov_rpc *rpc = client_with(f, 200, 0, 1);
    repeat_fault(f->srv, 2, (fault){.delay_ms = 600});
    cov_err err;
    char *text = NULL;
    assert_int_equal(cov_rpc_system_chain(rpc, &text, &err), COV_ERR_TIMEOUT);
    assert_null(text);
    assert_int_equal(cov_rpc_last_attempts(rpc), 2);
    assert_int_equal(requests_of(f->srv), 2);
    expect_msg(&err, "timed out");
    expect_msg(&err, "(2 attempts)");

    /* A slow first answer, then a prompt one: the retry succeeds. */
    set_faults(f->srv, 1, &(fault){.delay_ms = 600});
    assert_int_equal(cov_rpc_system_chain(rpc, &text, &err), COV_OK);
    assert_string_equal(text, "Bittensor");
    free(text);
    assert_int_equal(cov_rpc_last_attempts(rpc), 2);
    cov_rpc_free(rpc);
}

static void test_http_500_then_ok(void **state)
{
    fixture *f = *state;
    set_faults(f->srv, 1, &(fault){.kind = F_RAW, .status = 500, .body = "Internal Server Error"});
    cov_err err;
    cov_rpc_health h;
    assert_int_equal(cov_rpc_system_health(f->rpc, &h, &err), COV_OK);
    assert_int_equal(h.peers, 47);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 2);
    assert_int_equal(requests_of(f->srv), 2);
}

static void test_http_5xx_exhausts_retries(void **state)
{
    fixture *f = *state;
    repeat_fault(f->srv, 10, (fault){.kind = F_RAW, .status = 503, .body = "busy\x1b[31m"});
    cov_err err;
    cov_rpc_health h;
    assert_int_equal(cov_rpc_system_health(f->rpc, &h, &err), COV_ERR_NETWORK);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 3); /* 1 + max_retries 2 */
    assert_int_equal(requests_of(f->srv), 3);
    expect_msg(&err, "HTTP 503");
    expect_msg(&err, "busy?[31m"); /* the escape byte is not passed on */
    expect_msg(&err, "(3 attempts)");
}

static void test_http_429_retry_after(void **state)
{
    fixture *f = *state;
    /* Retry-After: 5 s is honoured only up to backoff_max_ms (20 ms). */
    set_faults(f->srv, 1, &(fault){.kind = F_RAW, .status = 429, .body = "slow down",
                                    .retry_after = "5"});
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cov_err err;
    char *text;
    assert_int_equal(cov_rpc_system_name(f->rpc, &text, &err), COV_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    free(text);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 2);
    double elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(elapsed < 2.0);
}

static void test_http_4xx_not_retried(void **state)
{
    fixture *f = *state;
    repeat_fault(f->srv, 3, (fault){.kind = F_RAW, .status = 403, .body = "forbidden"});
    cov_err err;
    char *text;
    assert_int_equal(cov_rpc_system_name(f->rpc, &text, &err), COV_ERR_NETWORK);
    expect_msg(&err, "HTTP 403");
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
    assert_int_equal(requests_of(f->srv), 1);
}

/* A port on loopback that refuses connections: bound, never listening. */
static int closed_port(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void test_connection_refused(void **state)
{
    (void)state;
    unsigned port;
    int fd = closed_port(&port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
    cov_rpc_options o;
    test_options(&o);
    cov_rpc *rpc;
    cov_err err;
    assert_int_equal(cov_rpc_new(&rpc, url, &o, &err), COV_OK);
    char *text;
    assert_int_equal(cov_rpc_system_chain(rpc, &text, &err), COV_ERR_NETWORK);
    expect_msg(&err, "cannot connect");
    assert_int_equal(cov_rpc_last_attempts(rpc), 3);
    assert_int_equal(cov_rpc_system_chain(rpc, &text, NULL), COV_ERR_NETWORK);
    assert_int_equal(cov_rpc_last_attempts(rpc), 3);
    /* Nothing was sent, so even a submission may be tried again. */
    uint8_t ext[2] = {0x04, 0x00}, hash[32];
    assert_int_equal(cov_rpc_submit_extrinsic(rpc, hash, ext, 2, &err), COV_ERR_NETWORK);
    assert_int_equal(cov_rpc_last_attempts(rpc), 3);
    cov_rpc_free(rpc);
    close(fd);
}

static void test_bad_bodies(void **state)
{
    fixture *f = *state;
    cov_err err;
    char *text;
    set_faults(f->srv, 1, &(fault){.kind = F_RAW, .body = "<html>502 Bad Gateway</html>"});
    assert_int_equal(cov_rpc_system_chain(f->rpc, &text, &err), COV_ERR_PARSE);
    expect_msg(&err, "is not JSON");
    expect_msg(&err, f->srv->url);
    expect_msg(&err, "<html>502");
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);

    static const char *const bad[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"Bitte", /* truncated */
        "", "null", "[]", "{\"id\":3,\"result\":1}",
        "{\"jsonrpc\":\"1.0\",\"id\":4,\"result\":\"x\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":5}",
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":1,\"error\":{\"code\":1,\"message\":\"m\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":\"oops\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":1,\"result\":2}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"9\",\"result\":\"x\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":42}", /* not a string */
        "\x01\x02\x7f",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_faults(f->srv, 1, &(fault){.kind = F_RAW, .body = bad[i]});
        cov_err_clear(&err);
        text = NULL;
        cov_status st = cov_rpc_system_chain(f->rpc, &text, &err);
        if (st != COV_ERR_PARSE)
            fail_msg("body #%zu: status %d (%s)", i, st, err.msg);
        assert_null(text);
        assert_true(err.msg[0] != '\0');
        assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
    }
    set_faults(f->srv, 1, &(fault){.kind = F_RAW, .body = bad[0]});
    assert_int_equal(cov_rpc_system_chain(f->rpc, &text, &err), COV_ERR_PARSE);
    expect_msg(&err, "not JSON");
}

static void test_wrong_id(void **state)
{
    fixture *f = *state;
    set_faults(f->srv, 1, &(fault){.kind = F_WRONG_ID});
    cov_err err;
    char *text;
    assert_int_equal(cov_rpc_system_chain(f->rpc, &text, &err), COV_ERR_PARSE);
    expect_msg(&err, "carries id");
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
    /* The next call is fine: ids keep counting. */
    assert_int_equal(cov_rpc_system_chain(f->rpc, &text, &err), COV_OK);
    free(text);
}

static void test_oversized(void **state)
{
    fixture *f = *state;
    cov_rpc *rpc = client_with(f, 0, 1024, -1);
    static char big[4097];
    memset(big, ' ', 4096);
    memcpy(big, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"x\"}", 37);
    cov_err err;
    char *text;
    /* A Content-Length over the cap: refused before the body is read. */
    set_faults(f->srv, 1, &(fault){.kind = F_RAW, .body = big});
    assert_int_equal(cov_rpc_system_chain(rpc, &text, &err), COV_ERR_TOO_BIG);
    expect_msg(&err, "1024-byte limit");
    assert_int_equal(cov_rpc_last_attempts(rpc), 1);
    /* No length (chunked): cut off while it streams in. */
    set_faults(f->srv, 1, &(fault){.kind = F_CHUNKED, .size = 1 << 20});
    assert_int_equal(cov_rpc_system_chain(rpc, &text, &err), COV_ERR_TOO_BIG);
    assert_int_equal(cov_rpc_last_attempts(rpc), 1);
    /* And the client recovers. */
    assert_int_equal(cov_rpc_system_chain(rpc, &text, &err), COV_OK);
    free(text);
    cov_rpc_free(rpc);
}

static void test_content_length_lies(void **state)
{
    fixture *f = *state;
    /* Claims 500 bytes, sends 36 and hangs up: a cut transfer, retried. */
    repeat_fault(f->srv, 5, (fault){.kind = F_SHORT, .size = 500,
                                    .body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"});
    cov_err err;
    char *text;
    assert_int_equal(cov_rpc_system_chain(f->rpc, &text, &err), COV_ERR_NETWORK);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 3);
    assert_int_equal(requests_of(f->srv), 3);
    /* A submission is not resent after a cut answer. */
    uint8_t ext[2] = {0x04, 0x00}, hash[32];
    assert_int_equal(cov_rpc_submit_extrinsic(f->rpc, hash, ext, 2, &err), COV_ERR_NETWORK);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
    expect_msg(&err, "not resent");
}

static void test_submit_not_retried(void **state)
{
    fixture *f = *state;
    repeat_fault(f->srv, 5, (fault){.kind = F_RAW, .status = 500, .body = "oops"});
    uint8_t ext[2] = {0x04, 0x00}, hash[32];
    cov_err err;
    assert_int_equal(cov_rpc_submit_extrinsic(f->rpc, hash, ext, 2, &err), COV_ERR_NETWORK);
    assert_int_equal(cov_rpc_last_attempts(f->rpc), 1);
    assert_int_equal(requests_of(f->srv), 1);
    expect_msg(&err, "HTTP 500");
    expect_msg(&err, "check the chain before submitting again");

    /* Nor after a timeout: the node may have it in the pool. */
    cov_rpc *rpc = client_with(f, 200, 0, 3);
    repeat_fault(f->srv, 5, (fault){.delay_ms = 600});
    assert_int_equal(cov_rpc_submit_extrinsic(rpc, hash, ext, 2, &err), COV_ERR_TIMEOUT);
    assert_int_equal(cov_rpc_last_attempts(rpc), 1);
    assert_int_equal(requests_of(f->srv), 1);
    cov_rpc_free(rpc);
    assert_false(cov_rpc_method_is_idempotent("author_submitExtrinsic"));
    assert_false(cov_rpc_method_is_idempotent("engine_createBlock"));
    assert_true(cov_rpc_method_is_idempotent("author_pendingExtrinsics"));
    assert_true(cov_rpc_method_is_idempotent("state_getStorage"));
}

/* ---------------------------------------------------------------- batches */

static const char *const batch_methods[] = {"system_chain", "system_health",
                                            "state_getRuntimeVersion"};

static void free_results(json_t **r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(r[i]);
}

static void test_batch_out_of_order(void **state)
{
    fixture *f = *state;
    set_faults(f->srv, 1, &(fault){.kind = F_BATCH_REVERSE});
    json_t *params[3] = {NULL, json_array(), NULL};
    json_t *results[3];
    cov_err errs[3], err;
    assert_int_equal(cov_rpc_batch(f->rpc, results, errs, 3, batch_methods,
                                   (const json_t *const *)params, &err),
                     COV_OK);
    json_decref(params[1]);
    assert_string_equal(json_string_value(results[0]), "Bittensor");
    assert_int_equal(json_integer_value(json_object_get(results[1], "peers")), 47);
    assert_int_equal(json_integer_value(json_object_get(results[2], "specVersion")), 425);
    for (int i = 0; i < 3; i++)
        assert_int_equal(errs[i].code, COV_OK);
    free_results(results, 3);
    assert_int_equal(requests_of(f->srv), 1);
}

static void test_batch_bad_ids(void **state)
{
    fixture *f = *state;
    json_t *results[3];
    cov_err errs[3], err;
    set_faults(f->srv, 1, &(fault){.kind = F_BATCH_DROP});
    assert_int_equal(cov_rpc_batch(f->rpc, results, errs, 3, batch_methods, NULL, &err),
                     COV_ERR_PARSE);
    expect_msg(&err, "no answer for id");
    for (int i = 0; i < 3; i++)
        assert_null(results[i]);

    set_faults(f->srv, 1, &(fault){.kind = F_BATCH_DUP});
    assert_int_equal(cov_rpc_batch(f->rpc, results, errs, 3, batch_methods, NULL, &err),
                     COV_ERR_PARSE);
    expect_msg(&err, "twice");
    for (int i = 0; i < 3; i++)
        assert_null(results[i]);

    /* A single object instead of an array. */
    set_faults(f->srv, 1, &(fault){.kind = F_RAW,
                                   .body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1}"});
    assert_int_equal(cov_rpc_batch(f->rpc, results, errs, 3, batch_methods, NULL, &err),
                     COV_ERR_PARSE);
    /* The node refusing the whole batch. */
    set_faults(f->srv, 1, &(fault){.kind = F_RAW,
                                   .body = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
                                           "{\"code\":-32600,\"message\":\"batch too large\"}}"});
    assert_int_equal(cov_rpc_batch(f->rpc, results, errs, 3, batch_methods, NULL, &err),
                     COV_ERR_RPC);
    expect_msg(&err, "batch too large");
    assert_int_equal(errs[2].code, COV_ERR_RPC);
    assert_int_equal(cov_rpc_last_rpc_code(f->rpc), -32600);
}

static void test_batch_partial_failure(void **state)
{
    fixture *f = *state;
    const char *methods[3] = {"system_chain", "no_suchMethod", "system_name"};
    json_t *results[3];
    cov_err errs[3], err;
    assert_int_equal(cov_rpc_batch(f->rpc, results, errs, 3, methods, NULL, &err),
                     COV_ERR_RPC);
    expect_msg(&err, "1 of 3 calls");
    assert_string_equal(json_string_value(results[0]), "Bittensor");
    assert_null(results[1]);
    assert_int_equal(errs[1].code, COV_ERR_RPC);
    expect_msg(&errs[1], "RPC error -32601 from no_suchMethod: Method not found");
    assert_string_equal(json_string_value(results[2]), "Subtensor Node");
    assert_int_equal(cov_rpc_last_rpc_code(f->rpc), -32601);
    free_results(results, 3);
}

/* ---------------------------------------------------------------- metadata */

static void test_metadata_cache(void **state)
{
    fixture *f = *state;
    cov_err err;
    uint8_t *bytes;
    size_t len;
    uint32_t spec;
    assert_int_equal(cov_rpc_metadata_bytes(f->rpc, &bytes, &len, &spec, &err), COV_OK);
    assert_int_equal(spec, 425);
    assert_int_equal(len, 69);
    free(bytes);
    assert_int_equal(cov_rpc_metadata_bytes(f->rpc, &bytes, &len, &spec, &err), COV_OK);
    free(bytes);
    assert_int_equal(calls_of(f->srv, "state_getMetadata"), 1);
    assert_int_equal(calls_of(f->srv, "state_getRuntimeVersion"), 2);

    /* A runtime upgrade: new spec, metadata read again. */
    char *rv = read_vector("state_getRuntimeVersion");
    json_t *upgraded = json_loads(rv, 0, NULL);
    free(rv);
    assert_non_null(upgraded);
    json_object_set_new(json_object_get(upgraded, "result"), "specVersion", json_integer(426));
    pthread_mutex_lock(&f->srv->mu);
    json_object_set_new(f->srv->routes, "state_getRuntimeVersion", upgraded);
    pthread_mutex_unlock(&f->srv->mu);
    route(f->srv, "state_getMetadata",
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x6d657461100102\"}");
    assert_int_equal(cov_rpc_metadata_bytes(f->rpc, &bytes, &len, &spec, &err), COV_OK);
    assert_int_equal(spec, 426);
    expect_hex(bytes, len, "6d657461100102");
    free(bytes);
    assert_int_equal(calls_of(f->srv, "state_getMetadata"), 2);

    /* Something that is not metadata is refused. */
    route(f->srv, "state_getMetadata", "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x0102\"}");
    assert_int_equal(cov_rpc_metadata_get(f->rpc, &bytes, &len, NULL, &err), COV_ERR_PARSE);
    expect_msg(&err, "meta");
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static void test_metadata_disk_cache(void **state)
{
    fixture *f = *state;
    char dir[] = "/tmp/covenant-rpc-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cache[600];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    cov_rpc_options o;
    test_options(&o);
    o.cache_dir = cache;
    cov_err err;
    uint8_t *first, *second;
    size_t len1, len2;
    uint32_t spec;
    cov_rpc *rpc;
    assert_int_equal(cov_rpc_new(&rpc, f->srv->url, &o, &err), COV_OK);
    assert_int_equal(cov_rpc_metadata_bytes(rpc, &first, &len1, &spec, &err), COV_OK);
    cov_rpc_free(rpc);
    assert_int_equal(calls_of(f->srv, "state_getMetadata"), 1);
    /* Keyed by genesis (block 0's hash, here the recorded best hash). */
    char path[800];
    snprintf(path, sizeof path, "%s/metadata-%s-425.scale", cache,
             "fbc00d93e22a6d386ae96ae030645cb7b29ada633d583464c252ddbb17595573");
    assert_true(cov_file_exists(path));

    /* A new client reads the file, not the node. */
    assert_int_equal(cov_rpc_new(&rpc, f->srv->url, &o, &err), COV_OK);
    assert_int_equal(cov_rpc_metadata_bytes(rpc, &second, &len2, &spec, &err), COV_OK);
    assert_int_equal(calls_of(f->srv, "state_getMetadata"), 1);
    assert_int_equal(len1, len2);
    assert_memory_equal(first, second, len1);
    free(second);
    cov_rpc_free(rpc);

    /* A damaged file is ignored and replaced. */
    assert_int_equal(cov_file_write_atomic(path, "junk", 4, 0644, true, &err), COV_OK);
    assert_int_equal(cov_rpc_new(&rpc, f->srv->url, &o, &err), COV_OK);
    assert_int_equal(cov_rpc_metadata_bytes(rpc, &second, &len2, &spec, &err), COV_OK);
    assert_int_equal(calls_of(f->srv, "state_getMetadata"), 2);
    assert_memory_equal(first, second, len1);
    free(second);
    free(first);
    cov_rpc_free(rpc);
    remove_dir(cache);
    rmdir(dir);
}

/* ------------------------------------------------- parsers, names, URLs */

static void test_parse_answer(void **state)
{
    (void)state;
    json_t *r;
    int64_t code;
    cov_err err;
    const char *ok = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}";
    assert_int_equal(cov_rpc_parse_answer(&r, &code, ok, strlen(ok), 7, "m", NULL, &err),
                     COV_OK);
    assert_true(json_is_null(r));
    json_decref(r);
    assert_int_equal(cov_rpc_parse_answer(&r, &code, ok, strlen(ok), 8, "m", NULL, &err),
                     COV_ERR_PARSE);
    assert_null(r);
    /* id null with an error: the node could not read the request. */
    const char *e = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
                    "\"message\":\"Parse\\u001b error\",\"data\":{\"k\":[1,2]}}}";
    assert_int_equal(cov_rpc_parse_answer(&r, &code, e, strlen(e), 3, "m", NULL, &err),
                     COV_ERR_RPC);
    assert_int_equal(code, -32700);
    assert_string_equal(err.msg, "RPC error -32700 from m: Parse? error (data: {\"k\":[1,2]})");
    /* A huge message is cut, not overflowed. */
    size_t n = 100000;
    char *huge = malloc(n + 100);
    int h = snprintf(huge, n + 100, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,\"message\":\"");
    memset(huge + h, 'A', n);
    strcpy(huge + h + n, "\"}}");
    assert_int_equal(cov_rpc_parse_answer(&r, &code, huge, strlen(huge), 1, "m", NULL, &err),
                     COV_ERR_RPC);
    assert_true(strlen(err.msg) < COV_ERR_MSG_MAX);
    free(huge);
    /* Deep nesting is refused by jansson's depth limit, not the stack. */
    char *deep = malloc(200001);
    memset(deep, '[', 200000);
    deep[200000] = '\0';
    assert_int_equal(cov_rpc_parse_answer(&r, &code, deep, 200000, 1, "m", NULL, &err),
                     COV_ERR_PARSE);
    free(deep);

    const char *batch = "[{\"jsonrpc\":\"2.0\",\"id\":11,\"result\":2},"
                        "{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":1}]";
    json_t *rs[3];
    cov_err es[3];
    const char *ms[3] = {"a", "b", "c"};
    assert_int_equal(cov_rpc_parse_batch(rs, es, NULL, batch, strlen(batch), 2, 10, ms,
                                         NULL, &err),
                     COV_OK);
    assert_int_equal(json_integer_value(rs[0]), 1);
    assert_int_equal(json_integer_value(rs[1]), 2);
    free_results(rs, 2);
    assert_int_equal(cov_rpc_parse_batch(rs, es, NULL, batch, strlen(batch), 2, 11, ms,
                                         NULL, &err),
                     COV_ERR_PARSE);
    expect_msg(&err, "no request had");
    assert_int_equal(cov_rpc_parse_batch(rs, es, NULL, batch, strlen(batch), 3, 10, ms,
                                         NULL, &err),
                     COV_ERR_PARSE);
}

static void test_network_names(void **state)
{
    (void)state;
    assert_string_equal(cov_rpc_network_url("finney"),
                        "https://entrypoint-finney.opentensor.ai:443");
    assert_string_equal(cov_rpc_network_url("test"), "https://test.finney.opentensor.ai:443");
    assert_string_equal(cov_rpc_network_url("archive"),
                        "https://archive.chain.opentensor.ai:443");
    assert_string_equal(cov_rpc_network_url("local"), "http://127.0.0.1:9944");
    assert_string_equal(cov_rpc_network_url("latent-lite"), "https://lite.sub.latent.to:443");
    assert_null(cov_rpc_network_url("mainnet"));
    char url[128];
    cov_err err;
    assert_int_equal(cov_rpc_endpoint(url, sizeof url, "wss://entrypoint-finney.opentensor.ai:443", &err), COV_OK);
    assert_string_equal(url, "https://entrypoint-finney.opentensor.ai:443");
    assert_int_equal(cov_rpc_endpoint(url, sizeof url, "ws://127.0.0.1:9946", &err), COV_OK);
    assert_string_equal(url, "http://127.0.0.1:9946");
    assert_int_equal(cov_rpc_endpoint(url, sizeof url, "local", &err), COV_OK);
    assert_string_equal(url, "http://127.0.0.1:9944");
    assert_int_equal(cov_rpc_endpoint(url, sizeof url, "https://node.example:9944", &err), COV_OK);
    assert_string_equal(url, "https://node.example:9944");
    assert_int_equal(cov_rpc_endpoint(url, sizeof url, "fineny", &err), COV_ERR_ARG);
    expect_msg(&err, "unknown network 'fineny'");
    assert_int_equal(cov_rpc_endpoint(url, sizeof url, "wss://", &err), COV_ERR_ARG);
    assert_int_equal(cov_rpc_endpoint(url, 10, "finney", &err), COV_ERR_ARG);
}

static void test_client_setup(void **state)
{
    (void)state;
    cov_rpc *rpc;
    cov_err err;
    assert_int_equal(cov_rpc_new(&rpc, "ftp://example.org", NULL, &err), COV_ERR_ARG);
    assert_null(rpc);
    assert_int_equal(cov_rpc_new(&rpc, "ws://127.0.0.1:9944", NULL, &err), COV_ERR_ARG);
    expect_msg(&err, "cov_rpc_endpoint");
    assert_int_equal(cov_rpc_new(&rpc, "", NULL, &err), COV_ERR_ARG);
    assert_int_equal(cov_rpc_new(&rpc, "http://[zz", NULL, &err), COV_ERR_ARG);
    expect_msg(&err, "'http://[zz' is not a URL");
    assert_int_equal(cov_rpc_new(&rpc, "http://u:pw@[zz", NULL, &err), COV_ERR_ARG);
    assert_null(strstr(err.msg, "pw"));
    cov_rpc_options o;
    cov_rpc_options_default(&o);
    o.timeout_ms = 0;
    assert_int_equal(cov_rpc_new(&rpc, "http://127.0.0.1:9944", &o, &err), COV_ERR_ARG);
    cov_rpc_options_default(&o);
    o.backoff_max_ms = 1;
    assert_int_equal(cov_rpc_new(&rpc, "http://127.0.0.1:9944", &o, &err), COV_ERR_ARG);
    /* Credentials in the URL never reach messages. */
    assert_int_equal(cov_rpc_new(&rpc, "https://user:hunter2@node.example:443/rpc?key=s3cret",
                                 NULL, &err),
                     COV_OK);
    assert_string_equal(cov_rpc_url(rpc), "https://node.example:443/rpc");
    json_t *r;
    assert_int_equal(cov_rpc_call(rpc, &r, "bad method\"", NULL, &err), COV_ERR_ARG);
    json_t *scalar = json_integer(1);
    assert_int_equal(cov_rpc_call(rpc, &r, "system_chain", scalar, &err), COV_ERR_ARG);
    json_decref(scalar);
    assert_int_equal(cov_rpc_last_attempts(rpc), 0);
    cov_rpc_free(rpc);
    assert_string_equal(cov_status_name(COV_ERR_RPC), "rpc error");
    assert_string_equal(cov_status_name(COV_ERR_TIMEOUT), "timed out");
    assert_string_equal(cov_status_name(COV_ERR_NETWORK), "network error");
}

int main(void)
{
    cov_err err;
    if (cov_crypto_init(&err) != COV_OK)
        return 1;
    cov_log_init_from_env(); /* COVENANT_LOG=debug shows each attempt */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_system_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_author_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_500_then_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_5xx_exhausts_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_429_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_4xx_not_retried, setup, teardown),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_length_lies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_not_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_bad_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_partial_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_disk_cache, setup, teardown),
        cmocka_unit_test(test_parse_answer),
        cmocka_unit_test(test_network_names),
        cmocka_unit_test(test_client_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
