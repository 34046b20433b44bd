/* cov_safetensors_parse on arbitrary bytes (the whole file in memory).
 *
 * Properties checked on every input:
 * - a refusal comes with its status and a message and leaves nothing
 *   allocated (the struct is zeroed);
 * - an accepted file: the data section is what follows the 8-byte length
 *   and the header; its tensors are F32 with 1 or 2 dimensions, names
 *   non-empty, unique and shorter than COV_TENSOR_NAME_MAX, numel the
 *   product of the shape, end - begin = 4 * numel; sorted by offset they
 *   tile the data section exactly (no overlap, no gap); the metadata is an
 *   object of strings. */
#include "fuzz_common.h"

#include "train/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    cov_safetensors st;
    cov_err err;
    cov_err_clear(&err);
    cov_status rc = cov_safetensors_parse(&st, data, size, &err);
    if (rc != COV_OK) {
        FUZZ_CHECK(err.code == rc && err.msg[0] != '\0');
        FUZZ_CHECK(st.entries == NULL && st.metadata == NULL && st.n == 0);
        return 0;
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | data[i];
    FUZZ_CHECK(hlen <= COV_SAFETENSORS_HEADER_MAX && 8 + hlen <= size);
    FUZZ_CHECK(st.data == data + 8 + hlen && st.data_len == size - 8 - hlen);
    uint64_t at = 0;
    for (size_t i = 0; i < st.n; i++) {
        const cov_safetensors_entry *e = &st.entries[i];
        size_t name_len = strnlen(e->name, COV_TENSOR_NAME_MAX);
        FUZZ_CHECK(name_len > 0 && name_len < COV_TENSOR_NAME_MAX);
        FUZZ_CHECK(e->ndim == 1 || e->ndim == 2);
        uint64_t numel = (uint64_t)e->shape[0] * (uint64_t)(e->ndim == 2 ? e->shape[1] : 1);
        FUZZ_CHECK(e->numel == numel && e->end - e->begin == 4 * numel);
        FUZZ_CHECK(e->begin == at);
        at = e->end;
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(st.entries[j].name, e->name) != 0);
    }
    FUZZ_CHECK(at == st.data_len);
    FUZZ_CHECK(json_is_object(st.metadata));
    const char *k;
    json_t *v;
    json_object_foreach(st.metadata, k, v) FUZZ_CHECK(json_is_string(v));
    cov_safetensors_free(&st);
    return 0;
}
