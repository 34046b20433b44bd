/* The local round's preparation: throwaway wallets, the synthetic corpus. */
#include "node/round_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void cov_round_config_defaults(cov_round_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->model_preset, sizeof c->model_preset, "demo");
    c->miners = 4;
    c->lazy_uid = 4;
    c->windows = 6;
    c->window.inner_steps = 10;
    c->window.micro_batch = 6;
    c->miner_steps[0] = 10;
    c->miner_steps[1] = 7;
    c->miner_steps[2] = 4;
    c->window.grad_accum = 1;
    c->window.max_grad_norm = 1.0f;
    /* A small model learns at a far higher rate than a 72B one (1.17e-4). */
    c->window.lr = (cov_lr_schedule){.base_lr = 3e-3f,
                                     .warmup_start_factor = 0.1f,
                                     .warmup_steps = 8,
                                     .cosine_steps = 10000,
                                     .min_ratio = 0.1f};
    c->window.adamw = cov_adamw_templar_defaults();
    cov_sparseloco_config_defaults(&c->window.sparseloco);
    c->pool_samples = 12;
    c->eval_samples = 8;
    c->outer_lr = 1.0f;
    c->eval_lr_factor = 0.2f;
    c->corpus_samples = 2048;
    c->seed = 42;
    c->rao_emission = 360ULL * 1000000000ULL; /* one alpha a block over a 360-block tempo */
}

cov_status cov_round_config_check(const cov_round_config *c, cov_err *err)
{
    if (c->miners < 1 || c->miners > COV_ROUND_MAX_MINERS)
        return cov_fail(err, COV_ERR_ARG, "round: miners must be 1..%d, got %d",
                        COV_ROUND_MAX_MINERS, c->miners);
    if (c->lazy_uid < 0 || c->lazy_uid > c->miners)
        return cov_fail(err, COV_ERR_ARG,
                        "round: the lazy miner's uid %d is not a miner (uids 1..%d, 0 = none)",
                        c->lazy_uid, c->miners);
    if (c->windows < 1 || c->windows >= (int)(sizeof((cov_round_result *)0)->loss_curve /
                                              sizeof(double)))
        return cov_fail(err, COV_ERR_ARG, "round: windows must be 1..62, got %d", c->windows);
    for (int i = 0; i < c->miners; i++)
        if (c->miner_steps[i] < 0 || c->miner_steps[i] > c->window.inner_steps)
            return cov_fail(err, COV_ERR_ARG,
                            "round: miner uid %d's %d inner steps are outside 0..%d", i + 1,
                            c->miner_steps[i], c->window.inner_steps);
    if (c->eval_samples < 1)
        return cov_fail(err, COV_ERR_ARG, "round: eval_samples must be positive");
    if (!(c->outer_lr > 0.0f) || !(c->eval_lr_factor > 0.0f))
        return cov_fail(err, COV_ERR_ARG, "round: outer_lr and eval_lr_factor must be > 0");
    if (c->pool_samples < 1)
        return cov_fail(err, COV_ERR_ARG, "round: pool_samples must be positive");
    uint64_t pool = (uint64_t)c->pool_samples;
    if (c->corpus_samples < pool || c->corpus_samples < 2 * (uint64_t)c->eval_samples)
        return cov_fail(err, COV_ERR_ARG,
                        "round: a corpus of %llu samples cannot fill a window's pool of %llu; "
                        "raise corpus_samples",
                        (unsigned long long)c->corpus_samples, (unsigned long long)pool);
    return cov_window_config_check(&c->window, err);
}

void cov_round_config_set_inner_steps(cov_round_config *c, int h)
{
    for (int m = 0; m < COV_ROUND_MAX_MINERS; m++)
        if (c->miner_steps[m] > 0) {
            long scaled = ((long)c->miner_steps[m] * h + c->window.inner_steps / 2) /
                          c->window.inner_steps;
            c->miner_steps[m] = scaled < 1 ? 1 : (int)scaled;
        }
    c->window.inner_steps = h;
}

/* A node's throwaway wallet as `btcli wallet create --no-use-password`
 * makes it: an unencrypted coldkey and hotkey, each from a new mnemonic. */
cov_status round_make_wallet(char hotkey_ss58[COV_SS58_MAX], const char *dir, const char *name,
                             cov_err *err)
{
    cov_wallet w;
    cov_status st = cov_wallet_init(&w, dir, name, "default", err);
    if (st != COV_OK)
        return st;
    char mnemonic[COV_MNEMONIC_MAX];
    cov_keypair *cold = NULL, *hot = NULL;
    st = cov_mnemonic_generate(mnemonic, 12, err);
    if (st == COV_OK)
        st = cov_keypair_from_mnemonic(&cold, mnemonic, NULL, COV_KEY_SR25519, err);
    if (st == COV_OK)
        st = cov_wallet_store_coldkey(&w, cold, NULL, false, err);
    if (st == COV_OK)
        st = cov_mnemonic_generate(mnemonic, 12, err);
    if (st == COV_OK)
        st = cov_keypair_from_mnemonic(&hot, mnemonic, NULL, COV_KEY_SR25519, err);
    if (st == COV_OK)
        st = cov_wallet_store_hotkey(&w, hot, NULL, false, err);
    if (st == COV_OK)
        st = cov_keypair_ss58(hot, hotkey_ss58, COV_SS58_BITTENSOR, err);
    cov_wipe(mnemonic, sizeof mnemonic);
    cov_keypair_free(cold);
    cov_keypair_free(hot);
    cov_wallet_free(&w);
    return st;
}

/* DIR/train_000000.bin: `samples` samples of the synthetic corpus. */
cov_status round_make_corpus(char *path, size_t path_len, const char *dir, uint32_t seq_len,
                             uint64_t samples, uint64_t seed, cov_err *err)
{
    cov_shard_info fmt = {.version = COV_SHARD_VERSION,
                          .token_width = 2,
                          .vocab_size = COV_BYTE_VOCAB,
                          .eos_id = COV_BYTE_EOS,
                          .seq_len = seq_len};
    cov_shard_writer *w = NULL;
    cov_status st = cov_shard_writer_new(&w, dir, "train", &fmt, samples, false, err);
    if (st != COV_OK)
        return st;
    cov_synth g;
    cov_synth_init(&g, seed);
    char doc[COV_SYNTH_DOC_MAX];
    cov_shard_writer_stats stats = {0};
    /* Exactly one full shard; the partial sample after it is dropped. */
    uint64_t want = samples * seq_len;
    while (st == COV_OK && stats.tokens_in < want) {
        size_t len = 0;
        cov_synth_document(&g, doc, &len);
        st = cov_shard_writer_add_text(w, (const uint8_t *)doc, len, err);
        cov_shard_writer_stats_get(w, &stats);
    }
    if (st == COV_OK)
        st = cov_shard_writer_finish(w, err);
    cov_shard_writer_free(w);
    if (st == COV_OK)
        snprintf(path, path_len, "%s/train_000000.bin", dir);
    return st;
}

cov_status round_mkdir(char *out, size_t out_len, const char *parent, const char *name,
                       cov_err *err)
{
    int n = snprintf(out, out_len, "%s/%s", parent, name);
    if (n < 0 || (size_t)n >= out_len)
        return cov_fail(err, COV_ERR_ARG, "round: the folder name %s/%s is too long", parent,
                        name);
    return cov_mkdir_p(out, 0700, err);
}
