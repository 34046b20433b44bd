/* cov_metadata_type_name: a readable name for a type, for messages and
 * listings ("Vec<u16>", "Option<AccountId32>", "[u8; 32]"). Types can be
 * recursive (a call enum that holds Vec<Call>), so nesting is capped, and
 * so is the number of types visited: hostile metadata could otherwise make
 * a name of exponential size (a tuple of many copies of itself). */
#include "chain/metadata_internal.h"

#include <stdio.h>
#include <string.h>

/* Past these the name ends in "...": nesting, types visited, length. */
enum { NAME_MAX_DEPTH = 8, NAME_MAX_NODES = 512, NAME_MAX_LEN = 4096 };

/* snprintf-like output: counts everything, stores what fits. */
typedef struct {
    char *buf;
    size_t size;
    size_t len;
    unsigned nodes; /* types rendered so far */
    bool cut;       /* a limit was hit: "..." written, nothing more */
} name_out;

static void put(name_out *o, const char *s)
{
    for (; *s && o->len < NAME_MAX_LEN; s++, o->len++)
        if (o->size && o->len < o->size - 1)
            o->buf[o->len] = *s;
}

/* True (after writing "...") once the name is long or costly enough. */
static bool over_budget(name_out *o)
{
    if (o->cut)
        return true;
    if (++o->nodes > NAME_MAX_NODES || o->len >= NAME_MAX_LEN - 3) {
        o->len = o->len < NAME_MAX_LEN - 3 ? o->len : NAME_MAX_LEN - 3;
        put(o, "...");
        o->cut = true;
    }
    return o->cut;
}

static void put_u32(name_out *o, uint32_t v)
{
    char num[16];
    snprintf(num, sizeof num, "%u", (unsigned)v);
    put(o, num);
}

static void render(const cov_metadata *m, uint32_t id, unsigned depth,
                   name_out *o);

static void render_list(const cov_metadata *m, const uint32_t *ids,
                        uint32_t n, unsigned depth, name_out *o)
{
    for (uint32_t i = 0; i < n && !o->cut; i++) {
        if (i)
            put(o, ", ");
        render(m, ids[i], depth + 1, o);
    }
}

/* "Name<P1, P2>" with the parameters that have a type (BoundedVec's
 * length bound S has none). */
static void render_path(const cov_metadata *m, const cov_meta_type *t,
                        unsigned depth, name_out *o)
{
    put(o, t->path.items[t->path.count - 1]);
    bool open = false;
    for (uint32_t i = 0; i < t->n_params && !o->cut; i++) {
        if (t->params[i].type == COV_META_NONE)
            continue;
        put(o, open ? ", " : "<");
        open = true;
        render(m, t->params[i].type, depth + 1, o);
    }
    if (open)
        put(o, ">");
}

/* A struct without a path: transparent with one field, else spelled out. */
static void render_anonymous(const cov_metadata *m, const cov_meta_type *t,
                             unsigned depth, name_out *o)
{
    const cov_meta_field *f = t->def.composite.fields;
    uint32_t n = t->def.composite.n_fields;
    if (n == 1) {
        render(m, f[0].type, depth + 1, o);
        return;
    }
    bool named = n > 0 && f[0].name;
    put(o, named ? "{ " : "(");
    for (uint32_t i = 0; i < n && !o->cut; i++) {
        if (i)
            put(o, ", ");
        if (named && f[i].name) {
            put(o, f[i].name);
            put(o, ": ");
        }
        render(m, f[i].type, depth + 1, o);
    }
    put(o, named ? " }" : ")");
}

static void render(const cov_metadata *m, uint32_t id, unsigned depth,
                   name_out *o)
{
    if (over_budget(o))
        return;
    const cov_meta_type *t = cov_metadata_type(m, id);
    if (!t) {
        put(o, "#");
        put_u32(o, id);
        return;
    }
    if (depth > NAME_MAX_DEPTH) {
        put(o, "...");
        return;
    }
    if (t->path.count > 0 &&
        (t->kind == COV_TYPE_COMPOSITE || t->kind == COV_TYPE_VARIANT)) {
        render_path(m, t, depth, o);
        return;
    }
    switch (t->kind) {
    case COV_TYPE_PRIMITIVE:
        put(o, cov_primitive_name(t->def.primitive));
        break;
    case COV_TYPE_SEQUENCE:
        put(o, "Vec<");
        render(m, t->def.sequence.type, depth + 1, o);
        put(o, ">");
        break;
    case COV_TYPE_ARRAY:
        put(o, "[");
        render(m, t->def.array.type, depth + 1, o);
        put(o, "; ");
        put_u32(o, t->def.array.len);
        put(o, "]");
        break;
    case COV_TYPE_TUPLE:
        put(o, "(");
        render_list(m, t->def.tuple.types, t->def.tuple.n_types, depth, o);
        put(o, t->def.tuple.n_types == 1 ? ",)" : ")");
        break;
    case COV_TYPE_COMPACT:
        put(o, "Compact<");
        render(m, t->def.compact.type, depth + 1, o);
        put(o, ">");
        break;
    case COV_TYPE_BIT_SEQUENCE:
        put(o, "BitVec<");
        render(m, t->def.bit_sequence.store_type, depth + 1, o);
        put(o, ", ");
        render(m, t->def.bit_sequence.order_type, depth + 1, o);
        put(o, ">");
        break;
    case COV_TYPE_COMPOSITE:
        render_anonymous(m, t, depth, o);
        break;
    case COV_TYPE_VARIANT:
        put(o, "enum#");
        put_u32(o, id);
        break;
    }
}

size_t cov_metadata_type_name(const cov_metadata *m, uint32_t id, char *buf,
                              size_t size)
{
    name_out o = {buf, size, 0, 0, false};
    render(m, id, 0, &o);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}
