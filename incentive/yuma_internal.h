/* What the yuma*.c files (and their tests) share. Not part of the public
 * API.
 *
 * The epoch follows run_epoch.rs step by step, but fuses the chain's
 * separate passes over its sparse matrices (mask, normalise, clip, sum,
 * multiply, normalise again...) into few passes: each value is still
 * computed by the same operations in the same order, only not stored in
 * between. Comments name the run_epoch.rs / math.rs function each part
 * reproduces. */
#ifndef COVENANT_INCENTIVE_YUMA_INTERNAL_H
#define COVENANT_INCENTIVE_YUMA_INTERNAL_H

#include "incentive/fixed.h"
#include "incentive/yuma.h"

/* A sparse matrix in CSR form, rows in uid order, each row's entries in
 * the order the chain's Vec<(u16, I32F32)> would hold them. Row i is
 * col/val[rowptr[i] .. rowptr[i+1]). */
typedef struct {
    uint32_t rows;
    size_t *rowptr; /* rows + 1 */
    uint16_t *col;
    cov_fx32 *val;
    size_t cap;      /* room in col/val */
    size_t rows_cap; /* room in rowptr, minus one */
} ymat;

/* Room for `rows` rows and `nnz` entries (contents kept); false on OOM. */
bool ymat_reserve(ymat *m, uint32_t rows, size_t nnz);
void ymat_free(ymat *m);
static inline size_t ymat_nnz(const ymat *m) { return m->rows ? m->rowptr[m->rows] : 0; }

/* inplace_normalize: divide by the (wrapping) sum unless it is 0. */
static inline void ynormalize(cov_fx32 *x, size_t len)
{
    cov_fx32 sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = cov_fx32_add_wrap(sum, x[i]);
    if (sum == 0)
        return;
    cov_fx32_divider dv;
    cov_fx32_divider_init(&dv, sum);
    for (size_t i = 0; i < len; i++)
        x[i] = cov_fx32_div_by(&dv, x[i]);
}

/* A row kernel with bool parameters, specialised at each call site (the
 * flags then cost nothing inside the loops). */
#define YUMA_KERNEL static inline __attribute__((always_inline))

/* ------------------------------------------------- per-column divisors */

/* Column normalisation as the chain does it: a value of column j divided
 * (safe_div) by b[j], left as it is where b[j] == 0. Values below 1.0 (all
 * of them, in practice) divide by a cov_fx32_recip reciprocal; the rest,
 * and divisors it does not cover (negative, or 2^-32), by
 * cov_fx32_div_safe. */
#define YCOL_SLOW 0xff /* sh[j]: use cov_fx32_div_safe */
typedef struct {
    uint64_t *m;
    uint8_t *sh;
    cov_fx32 *b;
} ycoldiv;

/* Column j divides by b (columns < the table's size); false if that
 * column is YCOL_SLOW. */
bool ycol_set(ycoldiv *t, uint16_t j, cov_fx32 b);

static inline cov_fx32 ycol_div(const ycoldiv *t, uint16_t j, cov_fx32 a)
{
    unsigned sh = t->sh[j];
    if (((uint64_t)a >> 32 | sh >> 7) == 0) /* a in [0, 2^32), not YCOL_SLOW */
        return (cov_fx32)cov_fx32_recip_div((uint64_t)a, t->m[j], sh); /* b == 0: m 0, sh 31 */
    return t->b[j] != 0 ? cov_fx32_div_safe(a, t->b[j]) : a;
}

/* ycol_div where no column of the table is YCOL_SLOW: one compare less. */
static inline cov_fx32 ycol_div_fast(const ycoldiv *t, uint16_t j, cov_fx32 a)
{
    if ((uint64_t)a < ((uint64_t)1 << 32))
        return (cov_fx32)cov_fx32_recip_div((uint64_t)a, t->m[j], t->sh[j]);
    return t->b[j] != 0 ? cov_fx32_div_safe(a, t->b[j]) : a;
}

/* Column j divides integers v (I32F32 v << 32) by b: where b is a whole
 * number B << 32 that is safe_div(v << 32, b) = floor((v << 32) / B), a
 * reciprocal of B. */
bool ycol_set_int(ycoldiv *t, uint16_t j, cov_fx32 b);

static inline cov_fx32 ycol_div_int(const ycoldiv *t, uint16_t j, uint16_t v)
{
    unsigned sh = t->sh[j];
    if (sh != YCOL_SLOW)
        return (cov_fx32)cov_fx32_recip_div(v, t->m[j], sh);
    cov_fx32 x = (cov_fx32)v << 32;
    return t->b[j] != 0 ? cov_fx32_div_safe(x, t->b[j]) : x;
}

/* ------------------------------------------------------------- median */

/* Memory the column medians reuse; zero it before first use. A column's
 * entries are packed score << 16 | k (k the validator's index among those
 * with stake; scores are below 2^48, else the dense fallback runs). */
typedef struct {
    size_t *colptr;    /* column starts */
    size_t *cursor;    /* column fill positions, then ends */
    uint32_t *lastrow; /* per column: the row its last entry came from */
    const bool *row_up; /* optional, the caller's: rows known strictly ascending */
    size_t col_cap;
    uint64_t *items;   /* column-major packed entries */
    size_t c_cap;
    cov_fx32 *use_stake;
    uint32_t *rowk;    /* row -> k, or UINT32_MAX */
    uint64_t *part[2];
    size_t n_cap;
    size_t *idx[3];    /* the chain's dense algorithm, for the fallback */
    cov_fx32 *dense;
} ymed_ws;

void ymed_ws_free(ymed_ws *ws);

/* weighted_median (epoch/math.rs) over partition 0..len-1, exactly. */
cov_fx32 cov_yuma_weighted_median(const cov_fx32 *stake, const cov_fx32 *score,
                                  size_t len, cov_fx32 minority, cov_fx32 lo,
                                  cov_fx32 hi);
/* weighted_median_col_sparse(stake, w, columns, majority) into out
 * (columns values); stake has w->rows entries. False on OOM. */
bool cov_yuma_weighted_median_col(cov_fx32 *out, const cov_fx32 *stake,
                                  const ymat *w, uint16_t columns,
                                  cov_fx32 majority, ymed_ws *ws);

/* -------------------------------------------------------- liquid alpha */

/* alpha_sigmoid (run_epoch.rs), the liquid alpha of one bond. */
cov_fx32 cov_yuma_alpha_sigmoid(cov_fx32 consensus, cov_fx32 weight,
                                cov_fx32 bond, cov_fx32 alpha_low,
                                cov_fx32 alpha_high, cov_fx32 steepness);

/* One row of mat_ema_alpha_sparse: (1 - a_j) old_j + max(0, a_j new_j),
 * capped at 1, emitted in new's order when > 0. alpha is dense over
 * `columns` (only the columns of the two rows are read); decayed is
 * scratch of `columns`. Returns the number of entries written to
 * out_col/out_val (at most new_len). */
size_t yema_alpha_row(uint16_t *out_col, cov_fx32 *out_val, const uint16_t *new_col,
                      const cov_fx32 *new_val, size_t new_len, const uint16_t *old_col,
                      const cov_fx32 *old_val, size_t old_len, const cov_fx32 *alpha,
                      uint16_t columns, cov_fx32 *decayed);

/* Liquid alpha for the rows of one epoch: alpha depends on a bond only
 * through the exponent x = steepness/-100 * (d - 0.5), so alphas are
 * cached by x (many bonds share d = 0), and exps run four at a time. */
#define YLIQ_CACHE 4096
/* No exponent is this: d - 0.5 is within [-0.5, 0.5] (d is clamped to
 * [0, 1]) and |steepness / -100| < 2^41, so |x| < 2^40. */
#define YLIQ_EMPTY INT64_MIN
typedef struct {
    cov_fx32 lo, hi, steep_div; /* alpha_low, alpha_high, steepness / -100 */
    cov_fx32 key[YLIQ_CACHE], val[YLIQ_CACHE]; /* key YLIQ_EMPTY: a free slot */
    cov_fx32 *wvis, *bvis; /* n: what the chain's cursor walk reads */
    uint16_t *vis_touched; /* 2n: their non-zero columns */
    uint16_t *pend_j;      /* n: columns waiting for an exp */
    cov_fx32 *pend_x;      /* n */
} yliquid;

/* Starts an epoch's liquid alpha (clears the cache). */
void yliquid_begin(yliquid *q, const cov_yuma_input *in);
/* alpha[j] for the `ncols` distinct columns in cols, for bonds whose
 * weight row and bond row are (wcol/wval, wlen) and (bcol/bval, blen). */
void yliquid_row(yliquid *q, cov_fx32 *alpha, const uint16_t *cols, size_t ncols,
                 const cov_fx32 *C, uint16_t n, const uint16_t *wcol, const cov_fx32 *wval,
                 size_t wlen, const uint16_t *bcol, const cov_fx32 *bval, size_t blen);

/* One row of mat_ema_alpha_sparse with its liquid alphas
 * (yliquid_row + yema_alpha_row) where the weight row and the bond row
 * are both strictly ascending (every weight column < n): the chain's
 * cursor walk then sees every entry, and only the weight columns' alphas
 * are read back. The kept bonds (keep, < n) are laid out densely in
 * q->bvis as proportions (zero again on return); per weight entry its
 * alpha (cached by exponent), then (1 - a) bond + max(0, a weight), capped
 * at 1, written to ocol/oval if > 0 (within the row's wlen slots) and added to
 * esum. c_unit: every C_j in [0, 1]. Returns the entries written. */
size_t yliquid_ema_dense_row(yliquid *q, uint16_t *restrict ocol, cov_fx32 *restrict oval,
                             const uint16_t *restrict wcol, const cov_fx32 *restrict wval,
                             size_t wlen, const cov_yuma_entry *restrict b, size_t blen,
                             const uint8_t *restrict keep, const cov_fx32 *restrict C,
                             bool c_unit, uint16_t n, cov_fx32 *restrict esum);

/* ------------------------------------------------------------ scratch */

/* vec_max_upscale_to_u16 on I32F32 values. */
void cov_yuma_vec_max_upscale_to_u16(uint16_t *out, const cov_fx32 *in, size_t len);

/* The scratch an output keeps between epochs. */
struct cov_yuma_scratch {
    ymat w;    /* weights: W, then (in place) the weights for bonds */
    ymat ema;  /* the bonds' moving average */
    ymat brow; /* Yuma 3: one masked bond row at a time */
    ymed_ws med;
    yliquid *liquid;
    size_t n_cap;
    cov_fx32 *vec[6];      /* n-sized I32F32 vectors (uses noted where taken) */
    ycoldiv cd[2];         /* n-sized: per-column divisors */
    uint8_t *kept;         /* n: bonds to uid j survive the registration mask */
    bool *w_up;            /* n: row i of w strictly ascending (yuma_load_weights) */
    uint32_t *mark;        /* n stamps */
    uint16_t *touched;     /* 2n columns */
    bool *flags[2];        /* n-sized */
    cov_fx64 *stake64;     /* n */
};

/* Sizes an output's per-uid arrays for n uids; false on OOM. */
bool cov_yuma_output_reserve(cov_yuma_output *out, size_t n);

/* Grows the scratch for n uids; false on OOM. */
bool cov_yuma_scratch_reserve(struct cov_yuma_scratch **s, size_t n);
void cov_yuma_scratch_free(struct cov_yuma_scratch *s);

/* ------------------------------------------------------ epoch phases */

/* What the phases read and write; A, C, I, D, VT live in the output. */
typedef struct {
    const cov_yuma_input *in;
    cov_yuma_output *out;
    struct cov_yuma_scratch *s;
    bool *row_ok;     /* previous permit (owner forced), rows kept */
    cov_fx32 *dsum;   /* original Yuma: column sums of W_bonds * A */
    /* original Yuma with BondsPenalty 1: s->w holds W_bonds * A (the
     * product the bond delta starts from) instead of W_bonds */
    bool wb_times_a;
} yuma_ctx;

/* Step 5: the masked, row-normalised weights into s->w. */
bool yuma_load_weights(yuma_ctx *c);
/* Steps 7-10: clip at consensus, validator trust, ranks -> incentive, and
 * the weights for bonds left in s->w (and, for original Yuma, the column
 * sums of W_bonds * A in dsum). */
bool yuma_clip_and_rank(yuma_ctx *c);
/* Steps 11-12 and the bonds of step 14: bonds, dividends, and the bond
 * rows stored in out->bonds. */
bool yuma_bonds(yuma_ctx *c);

#endif
