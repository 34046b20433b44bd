/* Part of chain/chain.h: a connection to a subtensor node with its
 * metadata, and what users do through it: read storage and runtime APIs,
 * build calls from JSON, sign, submit and follow transactions.
 *
 * The client re-reads the metadata when the runtime's spec_version changes
 * (cov_chain_refresh), so call indices, hashers and types always come from
 * the runtime actually running. */
#ifndef COVENANT_CHAIN_CLIENT_H
#define COVENANT_CHAIN_CLIENT_H

#include "chain/codec.h"
#include "chain/extrinsic.h"
#include "chain/metadata.h"
#include "chain/rpc.h"

typedef struct cov_chain cov_chain;

/* Connects to url (see cov_rpc_endpoint for names), reads the genesis
 * hash, the runtime version and the metadata (V15 through the
 * Metadata_metadata_at_version runtime API where offered, else V14 from
 * state_getMetadata). opts may be NULL. Free with cov_chain_free. */
cov_status cov_chain_connect(cov_chain **out, const char *url,
                             const cov_rpc_options *opts,
                             cov_err *err) COV_WARN_UNUSED;
/* Builds a client around metadata bytes already in hand, without network
 * reads (for --dry-run from a saved metadata file and for tests). rpc may
 * be NULL: then only encoding and signing work. Takes ownership of rpc. */
cov_status cov_chain_offline(cov_chain **out, cov_rpc *rpc,
                             const uint8_t *metadata, size_t metadata_len,
                             const uint8_t genesis[32],
                             const cov_rpc_runtime_version *version,
                             cov_err *err) COV_WARN_UNUSED;
void cov_chain_free(cov_chain *c);

cov_rpc *cov_chain_rpc(cov_chain *c);
const cov_metadata *cov_chain_metadata(const cov_chain *c);
const cov_rpc_runtime_version *cov_chain_version(const cov_chain *c);
const uint8_t *cov_chain_genesis(const cov_chain *c);

/* Re-reads the runtime version and, if spec_version changed, the metadata.
 * *changed (may be NULL) says whether it did. */
cov_status cov_chain_refresh(cov_chain *c, bool *changed,
                             cov_err *err) COV_WARN_UNUSED;

/* ---------------------------------------------------------------- storage */

/* The storage key of pallet.item with the given map keys (a JSON array, one
 * value per hasher; fewer give the prefix of a partial key, for
 * iteration). NULL keys = none. */
cov_status cov_chain_storage_key(cov_chain *c, cov_buf *key, const char *pallet,
                                 const char *item, const json_t *keys,
                                 cov_err *err) COV_WARN_UNUSED;

/* Reads and decodes pallet.item[keys] at block `at` (NULL: best). An
 * absent value gives the item's default (DEFAULT modifier) or JSON null
 * (OPTIONAL). *value is a new reference. */
cov_status cov_chain_storage_read(cov_chain *c, json_t **value, const char *pallet,
                                  const char *item, const json_t *keys,
                                  const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* Reads many values of one item in as few requests as possible
 * (state_queryStorageAt in batches): keys_list is a JSON array of key
 * arrays; *values a JSON array of the decoded values in the same order. */
cov_status cov_chain_storage_read_many(cov_chain *c, json_t **values, const char *pallet,
                                       const char *item, const json_t *keys_list,
                                       const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* Every entry of a map under the partial keys (may be NULL), at most
 * `limit` of them: a JSON array of {"keys": [...], "value": ...}, where keys
 * are decoded back where the hashers keep them (Blake2_128Concat,
 * Twox64Concat, Identity) and null where they do not. */
cov_status cov_chain_storage_iter(cov_chain *c, json_t **entries, const char *pallet,
                                  const char *item, const json_t *keys, size_t limit,
                                  const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* A constant's decoded value. */
cov_status cov_chain_constant(cov_chain *c, json_t **value, const char *pallet,
                              const char *name, cov_err *err) COV_WARN_UNUSED;

/* ----------------------------------------------------------- runtime API */

/* Calls api.method (e.g. "SubnetInfoRuntimeApi", "get_metagraph") with the
 * arguments in a JSON array, encoded by the method's input types, and
 * decodes the result. Needs V15 metadata. */
cov_status cov_chain_runtime_call(cov_chain *c, json_t **result, const char *api,
                                  const char *method, const json_t *args,
                                  const uint8_t *at, cov_err *err) COV_WARN_UNUSED;

/* ----------------------------------------------------------- transactions */

/* Appends the encoded call pallet.call(args) to out: the pallet and call
 * indices from the metadata, then the arguments (a JSON object by argument
 * name, or an array in order) encoded by their types. */
cov_status cov_chain_encode_call(cov_chain *c, cov_buf *out, const char *pallet,
                                 const char *call, const json_t *args,
                                 cov_err *err) COV_WARN_UNUSED;

typedef struct {
    uint32_t era_period; /* blocks the transaction stays valid; 0 immortal */
    uint64_t tip;        /* rao */
    bool have_nonce;     /* else the node's system_accountNextIndex */
    uint64_t nonce;
    bool have_block;     /* else the node's best block starts the era */
    uint64_t block_number;
    uint8_t block_hash[32];
} cov_tx_options;

/* Defaults: a 64-block mortal era, no tip, nonce and block from the node. */
void cov_tx_options_default(cov_tx_options *o);

/* Appends a signed v4 extrinsic of `call` to out, with the transaction
 * extensions the metadata lists, in order. */
cov_status cov_chain_sign(cov_chain *c, cov_buf *out, const cov_keypair *signer,
                          const uint8_t *call, size_t call_len,
                          const cov_tx_options *opts, cov_err *err) COV_WARN_UNUSED;

typedef enum { COV_WAIT_NONE, COV_WAIT_INCLUSION, COV_WAIT_FINALIZED } cov_wait;

typedef struct {
    uint8_t hash[32];       /* the transaction hash */
    bool included;          /* found in a block (waits other than NONE) */
    uint8_t block_hash[32];
    uint64_t block_number;
    uint32_t index;         /* position in the block */
    bool success;           /* System.ExtrinsicSuccess */
    char error[128];        /* "SubtensorModule::SettingWeightsTooFast" */
    char error_doc[512];    /* the error's first documentation line */
    json_t *events;         /* the extrinsic's events (new reference) */
} cov_tx_result;

void cov_tx_result_free(cov_tx_result *r);

/* Submits a signed extrinsic and, unless wait is NONE, polls until it is
 * in a block (or finalized), then reads the block's events and reports
 * ExtrinsicSuccess or ExtrinsicFailed with the decoded module error.
 * COV_ERR_TIMEOUT after timeout_s without seeing it. A failed extrinsic is
 * COV_OK with success false: the call ran and the chain said no. */
cov_status cov_chain_submit(cov_chain *c, cov_tx_result *out, const uint8_t *xt,
                            size_t len, cov_wait wait, unsigned timeout_s,
                            cov_err *err) COV_WARN_UNUSED;

/* The outcome of extrinsic `index` in a block's decoded System.Events. */
cov_status cov_chain_extrinsic_outcome(cov_chain *c, cov_tx_result *out,
                                       const json_t *events, uint32_t index,
                                       cov_err *err) COV_WARN_UNUSED;

#endif
