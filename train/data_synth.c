/* A synthetic corpus with structure a small model can learn quickly:
 * spelling (a fixed vocabulary of words), grammar (subject-verb agreement,
 * articles), arithmetic that counts (a run of consecutive numbers, a number
 * that goes down by one), and long-range copying (each document repeats
 * its own refrain). Deterministic from the seed; xoshiro256** keeps it
 * fast (no allocation, table lookups and memcpy). */
#include "train/data.h"

#include <string.h>

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(cov_synth *g)
{
    uint64_t *s = g->s;
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

/* Uniform in [0, n) (n small; the bias of a 64-bit modulus is negligible). */
static unsigned pick(cov_synth *g, unsigned n) { return (unsigned)(next_u64(g) % n); }

void cov_synth_init(cov_synth *g, uint64_t seed)
{
    for (int i = 0; i < 4; i++) { /* splitmix64 */
        seed += 0x9e3779b97f4a7c15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        g->s[i] = z ^ (z >> 31);
    }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const nouns[][2] = {
    {"cat", "cats"},     {"dog", "dogs"},       {"bird", "birds"},   {"child", "children"},
    {"farmer", "farmers"}, {"teacher", "teachers"}, {"river", "rivers"}, {"robot", "robots"},
    {"fox", "foxes"},    {"mouse", "mice"},     {"king", "kings"},   {"baker", "bakers"},
};
static const char *const verbs[][2] = {
    {"sees", "see"},     {"likes", "like"},   {"chases", "chase"}, {"finds", "find"},
    {"helps", "help"},   {"watches", "watch"}, {"follows", "follow"}, {"carries", "carry"},
};
static const char *const adjectives[] = {"small", "old", "happy", "green", "quiet",
                                         "brave", "lazy", "bright", "tall", "red"};
static const char *const names[] = {"Anna", "Ben", "Clara", "David", "Emma",
                                    "Felix", "Grace", "Hugo", "Iris", "Jonas"};
static const char *const places[] = {"in the garden", "by the river", "at the market",
                                     "under the bridge", "near the school", "on the hill"};
static const char *const number_words[] = {"zero", "one", "two", "three", "four", "five",
                                           "six", "seven", "eight", "nine", "ten"};

typedef struct {
    char *p, *end;
} out_buf;

static void put(out_buf *o, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(o->end - o->p) < n)
        n = (size_t)(o->end - o->p);
    memcpy(o->p, s, n);
    o->p += n;
}

static void put_uint(out_buf *o, unsigned v)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n > 0 && o->p < o->end)
        *o->p++ = tmp[--n];
}

/* "The happy cats chase a dog in the garden." */
static void sentence_agreement(cov_synth *g, out_buf *o)
{
    unsigned plural = pick(g, 2);
    put(o, plural ? "The " : (pick(g, 2) ? "The " : "A "));
    if (pick(g, 2)) {
        put(o, adjectives[pick(g, N(adjectives))]);
        put(o, " ");
    }
    put(o, nouns[pick(g, N(nouns))][plural]);
    put(o, " ");
    put(o, verbs[pick(g, N(verbs))][plural]);
    put(o, pick(g, 2) ? " the " : " a ");
    put(o, nouns[pick(g, N(nouns))][0]);
    if (pick(g, 3) == 0) {
        put(o, " ");
        put(o, places[pick(g, N(places))]);
    }
    put(o, ". ");
}

/* "Count: 41, 42, 43, 44." or "one, two, three." */
static void sentence_counting(cov_synth *g, out_buf *o)
{
    unsigned len = 3 + pick(g, 6);
    if (pick(g, 3) == 0) {
        unsigned start = pick(g, (unsigned)N(number_words) - len + 1);
        for (unsigned i = 0; i < len; i++) {
            put(o, number_words[start + i]);
            put(o, i + 1 < len ? ", " : ". ");
        }
        return;
    }
    unsigned start = pick(g, 990);
    put(o, "Count: ");
    for (unsigned i = 0; i < len; i++) {
        put_uint(o, start + i);
        put(o, i + 1 < len ? ", " : ". ");
    }
}

/* "Emma has 7 apples. Emma gives one away and now has 6." */
static void sentence_arithmetic(cov_synth *g, out_buf *o)
{
    const char *name = names[pick(g, N(names))];
    unsigned n = 2 + pick(g, 18);
    const char *thing = nouns[pick(g, N(nouns))][1];
    put(o, name);
    put(o, " has ");
    put_uint(o, n);
    put(o, " ");
    put(o, thing);
    put(o, ". ");
    put(o, name);
    put(o, " gives one away and now has ");
    put_uint(o, n - 1);
    put(o, ". ");
}

void cov_synth_document(cov_synth *g, char *buf, size_t *len)
{
    out_buf o = {buf, buf + COV_SYNTH_DOC_MAX};
    /* The document's refrain: one agreement sentence, said again and again. */
    char refrain[256];
    out_buf r = {refrain, refrain + sizeof refrain - 1};
    sentence_agreement(g, &r);
    *r.p = '\0';
    const char *speaker = names[pick(g, N(names))];

    unsigned sentences = 4 + pick(g, 12);
    for (unsigned i = 0; i < sentences; i++) {
        switch (pick(g, 5)) {
        case 0:
        case 1:
            sentence_agreement(g, &o);
            break;
        case 2:
            sentence_counting(g, &o);
            break;
        case 3:
            sentence_arithmetic(g, &o);
            break;
        default:
            put(&o, speaker);
            put(&o, " says: ");
            put(&o, refrain);
            break;
        }
    }
    if (o.p > buf && o.p[-1] == ' ')
        o.p--; /* no trailing space before the end of the document */
    put(&o, "\n");
    *len = (size_t)(o.p - buf);
}
