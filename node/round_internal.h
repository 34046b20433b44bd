/* Shared by node/round*.c only. */
#ifndef COVENANT_NODE_ROUND_INTERNAL_H
#define COVENANT_NODE_ROUND_INTERNAL_H

#include "node/round.h"
#include "train/data.h"
#include "train/eval.h"

cov_status round_make_wallet(char hotkey_ss58[COV_SS58_MAX], const char *dir, const char *name,
                             cov_err *err);
cov_status round_make_corpus(char *path, size_t path_len, const char *dir, uint32_t seq_len,
                             uint64_t samples, uint64_t seed, cov_err *err);
cov_status round_mkdir(char *out, size_t out_len, const char *parent, const char *name,
                       cov_err *err);

/* The validator's side after the last window: weights from the Gauntlet's
 * final scores, the SDK's processing and u16 conversion, one Yuma epoch;
 * fills the result's weight, incentive and emission fields. */
struct cov_gauntlet;
cov_status round_pay_out(cov_round_result *r, const cov_round_config *c,
                         const float *policy_weights, cov_err *err);

#endif
