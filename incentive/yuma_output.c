/* Memory of cov_yuma_output and of the scratch it keeps between epochs:
 * both grow to the largest n seen and are reused, so repeated epochs
 * (a simulator, a benchmark) do not allocate. */
#include <stdlib.h>
#include <string.h>

#include "incentive/yuma_internal.h"

void cov_yuma_output_init(cov_yuma_output *out)
{
    memset(out, 0, sizeof *out);
}

void cov_yuma_scratch_free(struct cov_yuma_scratch *s)
{
    if (s == NULL)
        return;
    ymat_free(&s->w);
    ymat_free(&s->ema);
    ymat_free(&s->brow);
    ymed_ws_free(&s->med);
    if (s->liquid != NULL) {
        free(s->liquid->wvis);
        free(s->liquid->bvis);
        free(s->liquid->vis_touched);
        free(s->liquid->pend_j);
        free(s->liquid->pend_x);
        free(s->liquid);
    }
    for (size_t i = 0; i < sizeof s->vec / sizeof s->vec[0]; i++)
        free(s->vec[i]);
    for (int i = 0; i < 2; i++) {
        free(s->cd[i].m);
        free(s->cd[i].sh);
        free(s->cd[i].b);
    }
    free(s->kept);
    free(s->w_up);
    free(s->mark);
    free(s->touched);
    free(s->flags[0]);
    free(s->flags[1]);
    free(s->stake64);
    free(s);
}

bool cov_yuma_scratch_reserve(struct cov_yuma_scratch **sp, size_t n)
{
    struct cov_yuma_scratch *s = *sp;
    if (s == NULL) {
        s = calloc(1, sizeof *s);
        if (s == NULL)
            return false;
        *sp = s;
    }
    if (n == 0)
        n = 1;
    if (s->n_cap >= n)
        return true;
    if (s->liquid == NULL) {
        s->liquid = calloc(1, sizeof *s->liquid);
        if (s->liquid == NULL)
            return false;
    }
    yliquid *q = s->liquid;
    bool ok = true;
#define GROW(p, count)                                                        \
    do {                                                                      \
        free(p);                                                              \
        (p) = malloc((count) * sizeof *(p));                                  \
        ok = ok && (p) != NULL;                                               \
    } while (0)
    for (size_t i = 0; i < sizeof s->vec / sizeof s->vec[0]; i++)
        GROW(s->vec[i], n);
    for (int i = 0; i < 2; i++) {
        GROW(s->cd[i].m, n);
        GROW(s->cd[i].sh, n);
        GROW(s->cd[i].b, n);
    }
    GROW(s->kept, n);
    GROW(s->w_up, n);
    GROW(s->mark, n);
    GROW(s->touched, n);
    GROW(s->flags[0], n);
    GROW(s->flags[1], n);
    GROW(s->stake64, n);
    GROW(q->pend_j, n);
    GROW(q->pend_x, n);
    GROW(q->vis_touched, 2 * n);
#undef GROW
    /* the liquid alpha's dense rows start (and stay) zero */
    free(q->wvis);
    free(q->bvis);
    q->wvis = calloc(n, sizeof *q->wvis);
    q->bvis = calloc(n, sizeof *q->bvis);
    ok = ok && q->wvis != NULL && q->bvis != NULL;
    s->n_cap = ok ? n : 0;
    return ok;
}

void cov_yuma_output_free(cov_yuma_output *out)
{
    if (out == NULL)
        return;
    free(out->stake_weight);
    free(out->consensus);
    free(out->incentive);
    free(out->dividends);
    free(out->validator_trust);
    free(out->active);
    free(out->new_validator_permit);
    free(out->server_emission);
    free(out->validator_emission);
    free(out->emission);
    free(out->stake);
    free(out->bonds);
    free(out->bond_entries);
    free(out->stake_fx);
    free(out->active_stake_fx);
    free(out->consensus_fx);
    free(out->validator_trust_fx);
    free(out->incentive_fx);
    free(out->dividends_fx);
    free(out->server_share_fx);
    free(out->validator_share_fx);
    free(out->combined_share_fx);
    cov_yuma_scratch_free(out->scratch);
    memset(out, 0, sizeof *out);
}

bool cov_yuma_output_reserve(cov_yuma_output *out, size_t n)
{
    if (n == 0)
        n = 1;
    if (out->alloc_n >= n && out->stake_weight != NULL)
        return true;
    bool ok = true;
#define GROW(p)                                                               \
    do {                                                                      \
        void *q = realloc((p), n * sizeof *(p));                              \
        if (q == NULL)                                                        \
            ok = false;                                                       \
        else                                                                  \
            (p) = q;                                                          \
    } while (0)
    GROW(out->stake_weight);
    GROW(out->consensus);
    GROW(out->incentive);
    GROW(out->dividends);
    GROW(out->validator_trust);
    GROW(out->active);
    GROW(out->new_validator_permit);
    GROW(out->server_emission);
    GROW(out->validator_emission);
    GROW(out->emission);
    GROW(out->stake);
    GROW(out->bonds);
    GROW(out->stake_fx);
    GROW(out->active_stake_fx);
    GROW(out->consensus_fx);
    GROW(out->validator_trust_fx);
    GROW(out->incentive_fx);
    GROW(out->dividends_fx);
    GROW(out->server_share_fx);
    GROW(out->validator_share_fx);
    GROW(out->combined_share_fx);
#undef GROW
    if (ok)
        out->alloc_n = n;
    return ok;
}
