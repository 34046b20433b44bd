/* chain: the Substrate client for subtensor.
 *
 * Everything the chain describes in its metadata (pallet and call indices,
 * storage hashers, transaction extensions, types) is read from the metadata
 * and never hard-coded, so the client keeps working across runtime upgrades.
 *
 * This is the module's one public header; it gathers the parts:
 *   scale.h      SCALE encoding and a bounded, depth-limited decoder
 *   metadata.h   metadata V14/V15, the portable type registry, lookups
 *   codec.h      type-directed SCALE <-> JSON over the registry
 *   rpc.h        JSON-RPC over HTTP (libcurl + jansson)
 *   extrinsic.h  eras, storage keys, signed extrinsics
 *   client.h     a node connection: storage, runtime APIs, transactions
 *   subtensor.h  hyperparameters, metagraphs and other subtensor reads
 * Conventions are common/'s: cov_status + cov_err, caller-owned outputs,
 * a _free for every _new.
 */
#ifndef COVENANT_CHAIN_H
#define COVENANT_CHAIN_H

#include "common/common.h"
#include "wallet/wallet.h"

#include "chain/scale.h"
#include "chain/metadata.h"
#include "chain/codec.h"
#include "chain/rpc.h"
#include "chain/extrinsic.h"
#include "chain/client.h"
#include "chain/subtensor.h"

#endif
